import Logging
import VarcoCore

/// Writes audit events; a failure to write is logged loudly but never breaks the citizen's request.
struct Auditor: Sendable {
    let log: any AuditLog
    let clock: any WallClock
    let logger: Logger

    func record(_ kind: AuditEvent.Kind, subject: String? = nil, relyingParty: String? = nil, detail: String,
                client: String? = nil) async {
        let event = AuditEvent(time: clock.now(), kind: kind, subject: subject, relyingParty: relyingParty,
                               detail: detail, clientAddress: client)
        logger.info("\(kind.rawValue)", metadata: ["subject": "\(subject ?? "-")", "rp": "\(relyingParty ?? "-")", "detail": "\(detail)"])
        do { try await log.append(event) } catch {
            logger.critical("audit log write failed: check the database", metadata: ["error": "\(error)"])
        }
    }
}
