import Foundation
import Logging
import ServiceLifecycle
import VarcoCore

/// Removes idle SSO sessions, expired login transactions and expired OAuth grants every few minutes, so the database
/// holds only what is alive. Stops with the server. With several nodes on one database, one node sweeps at a time
/// (`Stores.jobs`); the others skip that turn.
struct StoreJanitor: Service {
    let stores: Stores
    let policy: SessionPolicy
    let clock: any WallClock
    let logger: Logger
    /// Ends expired sessions like a logout, telling their back-channel participants, before they are removed.
    var expiry: (any SessionExpiry)? = nil
    var interval: Duration = .seconds(300)
    /// How long upstream SPID/CIE responses stay in the archive.
    var upstreamRetentionDays = 730

    func run() async throws {
        try await Periodic.run(every: interval) { await sweep() }
    }

    func sweep() async {
        do {
            let ran = try await stores.jobs.runExclusively("store-janitor") { await removeExpired() }
            if !ran { logger.debug("another node is removing expired records") }
        } catch {
            logger.error("could not remove expired records: check the database", metadata: ["error": "\(error)"])
        }
    }

    private func removeExpired() async {
        let now = clock.now()
        do {
            if let expiry {
                while true {
                    let expired = try await stores.sessions.expired(lastSeenBefore: now.addingTimeInterval(-policy.idleTimeout),
                                                                    createdBefore: now.addingTimeInterval(-policy.absoluteTimeout), limit: 100)
                    for session in expired { try await expiry.expired(session) }
                    if expired.count < 100 { break }
                }
            }
            let sessions = try await stores.sessions.deleteIdle(lastSeenBefore: now.addingTimeInterval(-policy.idleTimeout))
            let logins = try await stores.logins.deleteExpired(before: now)
            let grants = try await stores.oauthGrants.deleteExpired(before: now)
            let smsCodes = try await stores.otp.challenges.deleteExpired(before: now)
            let upstreamRequests = try await stores.upstream.pending.deleteExpired(before: now)
            _ = try await stores.upstream.archive.deleteOlder(than: now.addingTimeInterval(-Double(upstreamRetentionDays) * 86400))
            if sessions + logins + grants + smsCodes + upstreamRequests > 0 {
                logger.info("removed expired records", metadata: ["sessions": "\(sessions)", "logins": "\(logins)", "grants": "\(grants)",
                                                                  "smsCodes": "\(smsCodes)"])
            }
        } catch {
            logger.error("could not remove expired records: check the database", metadata: ["error": "\(error)"])
        }
    }
}
