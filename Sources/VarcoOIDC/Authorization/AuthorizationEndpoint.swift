import VarcoCore

/// The authorization endpoint's request checks (OIDC Core §3.1.2.2), in the order they run.
/// Everything above `RedirectURICheck` fails to an error page; everything below it fails to a
/// redirect carrying `error` and `state` back to the client.
public enum AuthorizationChecks {
    public static let all: [any AuthorizationCheck] = [
        ClientCheck(),
        RedirectURICheck(),
        StateCheck(),
        RequestObjectCheck(),
        ResponseTypeCheck(),
        ScopeCheck(),
        PKCECheck(),
        NonceCheck(),
        PromptCheck(),
        MaxAgeCheck(),
        ACRValuesCheck(),
        AcceptedParametersCheck(),
    ]
}

/// What the authorization endpoint decides about a request.
public enum AuthorizationOutcome: Sendable, Equatable {
    /// A valid request: start (or reuse) a login for this client.
    case login(AuthorizationRequest, displayName: String)
    /// The client or redirect_uri cannot be trusted: show an error page, never redirect.
    case errorPage(OAuthError)
    /// Tell the client at its registered redirect_uri.
    case redirect(String, OAuthError)
}

extension OIDCProvider {
    /// Runs the checks on the query (GET) or form body (POST) of an authorization request.
    public func authorize(parameters encoded: Substring) async -> AuthorizationOutcome {
        let parameters: URLEncodedForm
        do { parameters = try URLEncodedForm(encoded, maxLength: 32 * 1024) } catch {
            return .errorPage(.invalidRequest("the request is malformed or repeats a parameter", detail: "\(error)"))
        }
        var context = AuthorizationContext(parameters: parameters, clients: clients)
        for check in AuthorizationChecks.all {
            do { try await check.check(&context) } catch {
                guard let redirectURI = context.redirectURI else { return .errorPage(error) }
                return .redirect(AuthorizationResponse.error(error, redirectURI: redirectURI, state: context.state,
                                                             issuer: configuration.issuer), error)
            }
        }
        guard let request = context.request, let party = context.party else {
            return .errorPage(.serverError("checks finished without a request"))
        }
        return .login(request, displayName: party.displayName)
    }
}
