/// The token endpoint's success answer (RFC 6749 §5.1, OIDC Core §3.1.3.3).
public struct TokenResponse: Codable, Sendable, Equatable {
    public let access_token: String
    public let token_type: String
    public let expires_in: Int
    public let id_token: String?
    public let refresh_token: String?
    public let scope: String
}
