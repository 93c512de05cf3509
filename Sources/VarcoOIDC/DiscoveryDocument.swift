import VarcoCore

/// The provider metadata at `/.well-known/openid-configuration` (OIDC Discovery §3).
public struct DiscoveryDocument: Codable, Sendable, Equatable {
    public let issuer: String
    public let authorization_endpoint: String
    public let token_endpoint: String
    public let userinfo_endpoint: String
    public let jwks_uri: String
    public let introspection_endpoint: String
    public let revocation_endpoint: String
    public let response_types_supported: [String]
    public let response_modes_supported: [String]
    public let grant_types_supported: [String]
    public let subject_types_supported: [String]
    public let id_token_signing_alg_values_supported: [String]
    public let token_endpoint_auth_methods_supported: [String]
    public let introspection_endpoint_auth_methods_supported: [String]
    public let revocation_endpoint_auth_methods_supported: [String]
    public let token_endpoint_auth_signing_alg_values_supported: [String]
    public let code_challenge_methods_supported: [String]
    public let scopes_supported: [String]
    public let claims_supported: [String]
    public let acr_values_supported: [String]
    public let prompt_values_supported: [String]
    public let claims_parameter_supported: Bool
    public let request_parameter_supported: Bool
    public let request_uri_parameter_supported: Bool
    public let authorization_response_iss_parameter_supported: Bool
    public let ui_locales_supported: [String]
    public let end_session_endpoint: String
    public let backchannel_logout_supported: Bool
    public let backchannel_logout_session_supported: Bool
    /// OIDC Front-Channel Logout 1.0 §3: Varco frames `frontchannel_logout_uri` with `iss` and `sid`.
    public var frontchannel_logout_supported = true
    public var frontchannel_logout_session_supported = true

    public var json: String { JSONText.encode(self) }
}

extension OIDCProvider {
    public func discovery() -> DiscoveryDocument {
        let c = configuration
        let secretMethods = ["client_secret_basic", "client_secret_post"]
        return DiscoveryDocument(
            issuer: c.issuer, authorization_endpoint: c.authorizationEndpoint, token_endpoint: c.tokenEndpoint,
            userinfo_endpoint: c.userInfoEndpoint, jwks_uri: c.jwksURI, introspection_endpoint: c.introspectionEndpoint,
            revocation_endpoint: c.revocationEndpoint, response_types_supported: ["code"], response_modes_supported: ["query"],
            grant_types_supported: ["authorization_code", "refresh_token"], subject_types_supported: ["pairwise"],
            id_token_signing_alg_values_supported: ["RS256"], token_endpoint_auth_methods_supported: secretMethods + ["private_key_jwt", "none"],
            introspection_endpoint_auth_methods_supported: secretMethods + ["private_key_jwt"],
            revocation_endpoint_auth_methods_supported: secretMethods + ["private_key_jwt", "none"],
            token_endpoint_auth_signing_alg_values_supported: ["RS256", "ES256"],
            code_challenge_methods_supported: ["S256"], scopes_supported: ScopeCheck.supported.sorted(),
            claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid"] + UserClaim.allCases.map(\.rawValue),
            acr_values_supported: LevelOfAssurance.allCases.map(\.uri), prompt_values_supported: PromptCheck.supported.sorted(),
            claims_parameter_supported: false, request_parameter_supported: false, request_uri_parameter_supported: false,
            authorization_response_iss_parameter_supported: true, ui_locales_supported: ["it", "en"],
            end_session_endpoint: endSessionEndpoint, backchannel_logout_supported: true, backchannel_logout_session_supported: true)
    }
}
