/// Request objects are not supported: `request` and `request_uri` are refused with their own
/// codes (OIDC Core §6.1, §6.2) rather than ignored, since ignoring them would drop what they require.
struct RequestObjectCheck: AuthorizationCheck {
    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        if context.parameters["request"] != nil { throw .requestNotSupported("request parameter sent") }
        if context.parameters["request_uri"] != nil { throw .requestURINotSupported("request_uri parameter sent") }
    }
}
