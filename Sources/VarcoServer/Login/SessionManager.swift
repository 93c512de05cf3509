import Foundation
import VarcoCore

/// Finds, creates and renews SSO sessions under the session policy.
struct SessionManager: Sendable {
    let store: any SessionStore
    let policy: SessionPolicy
    let clock: any WallClock
    let random: any RandomSource

    /// The live session named by the cookie, if any. An expired one is deleted.
    func current(_ cookie: String?) async throws -> SSOSession? {
        guard let cookie, !cookie.isEmpty, cookie.utf8.count <= 128, let session = try await store.find(id: cookie) else { return nil }
        guard session.isAlive(at: clock.now(), policy: policy) else {
            try await store.delete(id: session.id)
            return nil
        }
        return session
    }

    /// After a successful proof: always a new session id (no session fixation); the services already
    /// reached by the same citizen are kept for single logout.
    func establish(_ result: AuthnResult, replacing previous: SSOSession?) async throws -> SSOSession {
        let now = clock.now()
        let id = random.token()
        let session = previous?.renewed(id: id, with: result, now: now) ?? SSOSession(id: id, result: result, now: now)
        try await store.insert(session)
        if let previous { try await store.delete(id: previous.id) }
        return session
    }

    /// Records an answer sent to a service and refreshes the idle timer.
    func record(_ visit: ServiceVisit, in session: SSOSession) async throws {
        let now = clock.now()
        try await store.update(id: session.id) { stored in
            stored.record(visit)
            stored.lastSeen = now
        }
    }
}
