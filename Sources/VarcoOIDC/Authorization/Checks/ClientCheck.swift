import VarcoCore

/// client_id names a registered, enabled OIDC client (RFC 6749 §4.1.2.1: otherwise no redirect).
struct ClientCheck: AuthorizationCheck {
    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        guard let id = context.parameter("client_id") else { throw .invalidRequest("client_id is missing") }
        guard id.utf8.count <= 256 else { throw .invalidRequest("client_id is not registered", detail: "client_id too long") }
        let party: RelyingParty?
        do { party = try await context.clients.find(id: id) } catch { throw .backend(error, while: "client lookup") }
        guard let party, let client = ClientRegistration(party) else {
            throw .invalidRequest("client_id is not registered", detail: "unknown or disabled client \(id)")
        }
        context.party = party
        context.client = client
    }
}
