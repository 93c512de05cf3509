import Foundation

/// What a citizen granted an OIDC client at one login: every code, access token and refresh token
/// issued from it dies with it (revocation, reuse of a code or of a rotated refresh token).
public struct OAuthGrant: Codable, Sendable, Equatable {
    public let id: String
    public let clientID: String
    public let citizen: CodiceFiscale
    public let scopes: [String]
    public let level: LevelOfAssurance
    public let method: AuthenticationMethod
    public let authTime: Date
    /// The public session identifier (`sid` claim), never the session cookie value.
    public let sessionID: String
    public let nonce: String?
    public let created: Date
    public let expires: Date
    public var revoked: Bool

    public init(id: String, clientID: String, citizen: CodiceFiscale, scopes: [String], level: LevelOfAssurance,
                method: AuthenticationMethod, authTime: Date, sessionID: String, nonce: String?, created: Date,
                expires: Date, revoked: Bool = false) {
        self.id = id
        self.clientID = clientID
        self.citizen = citizen
        self.scopes = scopes
        self.level = level
        self.method = method
        self.authTime = authTime
        self.sessionID = sessionID
        self.nonce = nonce
        self.created = created
        self.expires = expires
        self.revoked = revoked
    }

    public func isActive(at now: Date) -> Bool { !revoked && now < expires }
}

/// An authorization code, stored by the hash of its value only.
public struct OAuthCode: Codable, Sendable, Equatable {
    public let hash: String
    public let grantID: String
    public let clientID: String
    public let redirectURI: String
    /// PKCE S256 challenge, if the client sent one.
    public let codeChallenge: String?
    public let expires: Date

    public init(hash: String, grantID: String, clientID: String, redirectURI: String, codeChallenge: String?, expires: Date) {
        self.hash = hash
        self.grantID = grantID
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.expires = expires
    }
}

/// A refresh token, stored by the hash of its value only. Each one is used once (rotation).
public struct OAuthRefreshToken: Codable, Sendable, Equatable {
    public let hash: String
    public let grantID: String
    public let clientID: String
    public let expires: Date

    public init(hash: String, grantID: String, clientID: String, expires: Date) {
        self.hash = hash
        self.grantID = grantID
        self.clientID = clientID
        self.expires = expires
    }
}

/// The outcome of redeeming a single-use value.
public enum OAuthRedemption<Value: Sendable & Equatable>: Sendable, Equatable {
    /// First use: the caller may act on it.
    case redeemed(Value)
    /// Already used before: the caller must treat it as an attack on the grant.
    case replayed(Value)
    case unknown
}

/// OAuth grants with their codes and refresh tokens.
public protocol OAuthGrantStore: Sendable {
    /// Stores a new grant together with the code that lets the client claim it.
    func insert(_ grant: OAuthGrant, code: OAuthCode) async throws
    func grant(id: String) async throws -> OAuthGrant?
    /// Marks the grant revoked; every token issued from it stops working. No error if absent.
    func revokeGrant(id: String) async throws
    /// Marks the code used. Atomic: of concurrent callers exactly one gets `.redeemed`.
    func redeemCode(hash: String) async throws -> OAuthRedemption<OAuthCode>
    func insert(_ refreshToken: OAuthRefreshToken) async throws
    /// Marks the refresh token used. Atomic: of concurrent callers exactly one gets `.redeemed`.
    func redeemRefreshToken(hash: String) async throws -> OAuthRedemption<OAuthRefreshToken>
    /// An unused refresh token, without using it (introspection, revocation).
    func findRefreshToken(hash: String) async throws -> OAuthRefreshToken?
    /// Removes grants, codes and refresh tokens that expired before `cutoff`; returns how many rows.
    func deleteExpired(before cutoff: Date) async throws -> Int
}
