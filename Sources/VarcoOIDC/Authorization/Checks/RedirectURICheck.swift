/// redirect_uri is present and equal, character for character, to a registered one
/// (OIDC Core §3.1.2.1 "MUST exactly match"). Only after this check may errors be redirected.
struct RedirectURICheck: AuthorizationCheck {
    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        guard let client = context.client else { throw .serverError("redirect_uri checked before the client") }
        guard let uri = context.parameter("redirect_uri") else { throw .invalidRequest("redirect_uri is missing") }
        guard client.redirectURIs.contains(uri) else {
            throw .invalidRequest("redirect_uri is not registered for this client", detail: "unregistered redirect_uri \(uri)")
        }
        context.redirectURI = uri
        context.request = AuthorizationRequest(clientID: client.clientID, redirectURI: uri)
    }
}
