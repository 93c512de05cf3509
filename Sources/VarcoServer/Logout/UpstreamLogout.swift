import VarcoCore

/// The hook for the upstream SPID or CIE identity provider in single logout. Its step, if any, is appended
/// last to the session's logout steps; when every other participant has been told, the browser is sent to
/// `logoutAnswer` (the upstream LogoutRequest made by Varco's SPID service-provider side). The upstream
/// answer must finish the step with `SingleLogoutCoordinator.finish(upstreamOf:outcome:)` and send the
/// browser back to `/logout/progress`, which then shows the result.
///
/// The default, `NoUpstreamLogout`, does nothing: sessions without an upstream provider have no such step.
protocol UpstreamLogout: Sendable {
    /// The upstream provider's step for this session, or nil when the citizen did not come through one.
    func step(for session: SSOSession) async -> LogoutStep?
    /// What sends the browser to log out at the upstream provider (a redirect, or an auto-submitting form).
    func logoutAnswer(for session: SSOSession, step: LogoutStep) async throws -> ProtocolAnswer
}

struct NoUpstreamLogout: UpstreamLogout {
    func step(for session: SSOSession) async -> LogoutStep? { nil }

    func logoutAnswer(for session: SSOSession, step: LogoutStep) async throws -> ProtocolAnswer {
        throw WebError(.internalServerError, "error_internal", detail: "upstream logout step without an upstream logout hook")
    }
}
