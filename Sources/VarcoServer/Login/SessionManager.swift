import Foundation
import VarcoCore

/// Finds, creates and renews SSO sessions under the session policy.
struct SessionManager: Sendable {
    let store: any SessionStore
    let policy: SessionPolicy
    let clock: any WallClock
    let random: any RandomSource
    /// Told when a session is found expired, to send the back-channel logout notifications it can.
    var expiry: (any SessionExpiry)? = nil

    /// The live session named by the cookie, if any. An expired one is deleted; an ended one (its single
    /// logout still running) answers nothing.
    func current(_ cookie: String?) async throws -> SSOSession? {
        guard let cookie, !cookie.isEmpty, cookie.utf8.count <= 128, let session = try await store.find(id: cookie) else { return nil }
        guard !session.isEnded else { return nil }
        guard session.isAlive(at: clock.now(), policy: policy) else {
            if let expiry { try await expiry.expired(session) } else { try await store.delete(id: session.id) }
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

/// What happens to a session that expired (idle or absolute timeout) before its citizen logged out.
protocol SessionExpiry: Sendable {
    func expired(_ session: SSOSession) async throws
}
