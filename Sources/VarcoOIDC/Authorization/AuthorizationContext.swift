import VarcoCore

/// What the authorization checks read and fill in, in order. Once `redirectURI` is set it is
/// trusted: later errors go back to the client; earlier ones are shown to the citizen.
public struct AuthorizationContext: Sendable {
    public let parameters: URLEncodedForm
    let clients: any RelyingPartyStore
    public internal(set) var client: ClientRegistration?
    public internal(set) var party: RelyingParty?
    public internal(set) var redirectURI: String?
    public internal(set) var state: String?
    public internal(set) var request: AuthorizationRequest?

    init(parameters: URLEncodedForm, clients: any RelyingPartyStore) {
        self.parameters = parameters
        self.clients = clients
    }

    /// A parameter, with an empty value treated as absent (OIDC Core §3.1.2.1... "as if omitted").
    func parameter(_ name: String) -> String? {
        parameters[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// One check of the authorization request. It reads the context, records what it validated, or throws.
public protocol AuthorizationCheck: Sendable {
    func check(_ context: inout AuthorizationContext) async throws(OAuthError)
}
