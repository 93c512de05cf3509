import Foundation

/// Varco's settings as an OpenID provider. Endpoint URLs derive from the issuer.
public struct OIDCConfiguration: Sendable {
    /// The `iss` of every token: the public URL, without trailing slash.
    public var issuer: String
    public var authorizationCodeLifetime: TimeInterval
    public var accessTokenLifetime: TimeInterval
    public var idTokenLifetime: TimeInterval
    public var refreshTokenLifetime: TimeInterval
    /// How long a grant (and so its refresh-token chain) lives at most.
    public var grantLifetime: TimeInterval
    /// Secret for pairwise `sub` values: changing it changes every subject.
    public var pairwiseSecret: [UInt8]

    public init(issuer: String, authorizationCodeLifetime: TimeInterval = 60, accessTokenLifetime: TimeInterval = 300,
                idTokenLifetime: TimeInterval = 300, refreshTokenLifetime: TimeInterval = 8 * 3600,
                grantLifetime: TimeInterval = 30 * 86400, pairwiseSecret: [UInt8]) {
        self.issuer = issuer
        self.authorizationCodeLifetime = authorizationCodeLifetime
        self.accessTokenLifetime = accessTokenLifetime
        self.idTokenLifetime = idTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.grantLifetime = grantLifetime
        self.pairwiseSecret = pairwiseSecret
    }

    public var authorizationEndpoint: String { "\(issuer)/oidc/authorize" }
    public var tokenEndpoint: String { "\(issuer)/oidc/token" }
    public var userInfoEndpoint: String { "\(issuer)/oidc/userinfo" }
    public var jwksURI: String { "\(issuer)/oidc/jwks" }
    public var introspectionEndpoint: String { "\(issuer)/oidc/introspect" }
    public var revocationEndpoint: String { "\(issuer)/oidc/revoke" }
}
