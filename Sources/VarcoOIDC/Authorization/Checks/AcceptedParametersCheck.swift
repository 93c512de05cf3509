/// claims, ui_locales, display, login_hint, id_token_hint: accepted and not acted upon. Only their
/// size is bounded; any other unknown parameter is ignored (OIDC Core §3.1.2.1).
struct AcceptedParametersCheck: AuthorizationCheck {
    static let names = ["claims", "ui_locales", "display", "login_hint", "id_token_hint", "claims_locales"]
    static let maxLength = 8 * 1024

    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        for name in Self.names {
            if let value = context.parameters[name], value.utf8.count > Self.maxLength { throw .invalidRequest("\(name) is too long") }
        }
    }
}
