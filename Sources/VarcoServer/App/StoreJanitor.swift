import Foundation
import Logging
import ServiceLifecycle
import VarcoCore

/// Removes idle SSO sessions, expired login transactions and expired OAuth grants every few minutes, so the database
/// holds only what is alive. Stops with the server.
struct StoreJanitor: Service {
    let stores: Stores
    let policy: SessionPolicy
    let clock: any WallClock
    let logger: Logger
    /// Ends expired sessions like a logout, telling their back-channel participants, before they are removed.
    var expiry: (any SessionExpiry)? = nil
    var interval: Duration = .seconds(300)

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try await Task.sleep(for: interval)
            }
        }
    }

    func sweep() async {
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
            if sessions + logins + grants + smsCodes > 0 {
                logger.info("removed expired records", metadata: ["sessions": "\(sessions)", "logins": "\(logins)", "grants": "\(grants)",
                                                                  "smsCodes": "\(smsCodes)"])
            }
        } catch {
            logger.error("could not remove expired records: check the database", metadata: ["error": "\(error)"])
        }
    }
}
