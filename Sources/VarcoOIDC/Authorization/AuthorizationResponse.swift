import VarcoCore

/// The redirects back to the client (RFC 6749 §4.1.2, with `iss` from RFC 9207).
public enum AuthorizationResponse {
    public static func success(code: String, request: AuthorizationRequest, issuer: String) -> String {
        url(request.redirectURI, [("code", code), ("state", request.state), ("iss", issuer)])
    }

    public static func error(_ error: OAuthError, redirectURI: String, state: String?, issuer: String) -> String {
        url(redirectURI, [("error", error.code.rawValue), ("error_description", error.publicDescription), ("state", state), ("iss", issuer)])
    }

    /// Appends to the registered URI's own query, which must be kept (§3.1.2).
    static func url(_ base: String, _ parameters: [(String, String?)]) -> String {
        let query = parameters.compactMap { name, value in value.map { "\(name)=\(URLEncodedForm.encode($0))" } }.joined(separator: "&")
        return base + (base.contains("?") ? "&" : "?") + query
    }
}

extension OAuthError {
    /// How a login that ended without a proof is told to the client.
    public init(_ failure: LoginFailure) {
        switch failure {
        case .noPassive: self = .loginRequired("no usable session for prompt=none")
        case .noAuthnContext: self = .unmetAuthenticationRequirements("no method reaches the requested level")
        case .authnFailed: self = .accessDenied("authentication failed")
        case .cancelled: self = .accessDenied("cancelled by the citizen")
        case .requestDenied: self = .accessDenied("refused by policy")
        }
    }
}
