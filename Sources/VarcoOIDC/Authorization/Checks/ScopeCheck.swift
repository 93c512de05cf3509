/// scope contains `openid` (OIDC Core §3.1.2.1). Scopes we do not know are ignored (§5.4 lets the
/// provider grant fewer); the granted ones are recorded.
struct ScopeCheck: AuthorizationCheck {
    static let supported: Set<String> = Set(["openid", "offline_access"] + UserClaim.allCases.map(\.scope))

    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        let requested = (context.parameter("scope") ?? "").split(separator: " ").map(String.init)
        guard requested.contains("openid") else { throw .invalidScope("scope must contain openid") }
        var granted: [String] = []
        for scope in requested where Self.supported.contains(scope) && !granted.contains(scope) { granted.append(scope) }
        context.request?.scopes = granted
    }
}
