import Foundation
import Logging
import ServiceLifecycle
import VarcoCore

/// Removes audit events older than the configured retention (`--audit-retention-days`) once an hour. Stops with the
/// server. Without a retention the audit log is kept for ever and this service is not started. With several nodes on
/// one database, one node sweeps at a time (`Stores.jobs`).
struct AuditRetention: Service {
    let audit: any AuditLog
    let jobs: any JobLock
    let days: Int
    let clock: any WallClock
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        try await Periodic.run(every: interval) { await sweep() }
    }

    func sweep() async {
        do {
            _ = try await jobs.runExclusively("audit-retention") { await removeOld() }
        } catch {
            logger.error("could not apply the audit log's retention: check the database", metadata: ["error": "\(error)"])
        }
    }

    private func removeOld() async {
        do {
            let removed = try await audit.deleteOlder(than: clock.now().addingTimeInterval(-Double(days) * 86400))
            if removed > 0 { logger.info("audit retention", metadata: ["removed": "\(removed)", "days": "\(days)"]) }
        } catch {
            logger.error("could not apply the audit log's retention: check the database", metadata: ["error": "\(error)"])
        }
    }
}
