import Crypto
import Foundation
import VarcoCore

/// An OIDC client's registration document, stored as the `metadata` of its `RelyingParty`
/// (RFC 7591 member names).
public struct ClientRegistration: Codable, Sendable, Equatable {
    public enum AuthMethod: String, Codable, Sendable, CaseIterable {
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
        /// A JWT signed with one of the client's registered keys (RFC 7523).
        case privateKeyJWT = "private_key_jwt"
        /// A public client: no secret, PKCE required.
        case none
    }

    public var clientID: String
    public var clientName: String?
    /// Compared by exact string match (OIDC Core §3.1.2.1).
    public var redirectURIs: [String]
    public var tokenEndpointAuthMethod: AuthMethod
    /// base64url SHA-256 of the secret (the secret is 256 random bits, so a fast hash is enough).
    public var clientSecretSHA256: String?
    /// Where the client may ask to be sent after logout, compared by exact string match.
    public var postLogoutRedirectURIs: [String]?
    /// Where Varco POSTs a logout token when the SSO session ends (Back-Channel Logout 1.0 §2.2).
    public var backchannelLogoutURI: String?
    /// Where Varco's logout page loads a frame when the SSO session ends (Front-Channel Logout 1.0 §2).
    public var frontchannelLogoutURI: String?
    /// The client's public keys, for `private_key_jwt`.
    public var jwks: JWKSet?

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id", clientName = "client_name", redirectURIs = "redirect_uris"
        case tokenEndpointAuthMethod = "token_endpoint_auth_method", clientSecretSHA256 = "client_secret_sha256"
        case postLogoutRedirectURIs = "post_logout_redirect_uris", backchannelLogoutURI = "backchannel_logout_uri"
        case frontchannelLogoutURI = "frontchannel_logout_uri"
        case jwks
    }

    public init(clientID: String, clientName: String?, redirectURIs: [String], tokenEndpointAuthMethod: AuthMethod,
                clientSecretSHA256: String?) {
        self.clientID = clientID
        self.clientName = clientName
        self.redirectURIs = redirectURIs
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.clientSecretSHA256 = clientSecretSHA256
    }

    public init(clientID: String, clientName: String?, redirectURIs: [String], tokenEndpointAuthMethod: AuthMethod,
                clientSecretSHA256: String?, postLogoutRedirectURIs: [String]?, backchannelLogoutURI: String?) {
        self.init(clientID: clientID, clientName: clientName, redirectURIs: redirectURIs, tokenEndpointAuthMethod: tokenEndpointAuthMethod,
                  clientSecretSHA256: clientSecretSHA256)
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.backchannelLogoutURI = backchannelLogoutURI
    }

    public var isPublic: Bool { tokenEndpointAuthMethod == .none }

    /// The registration of an enabled OIDC relying party; nil for anything else.
    public init?(_ party: RelyingParty) {
        guard party.kind == .oidcClient, party.enabled, party.metadata.utf8.count <= 64 * 1024,
              let decoded = try? JSONDecoder().decode(Self.self, from: Data(party.metadata.utf8)), decoded.clientID == party.id else {
            return nil
        }
        self = decoded
    }

    public var json: String { JSONText.encode(self) }

    public static func hashSecret(_ secret: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Data(secret.utf8))))
    }

    /// Whether `secret` is this client's secret, compared in constant time.
    public func secretMatches(_ secret: String) -> Bool {
        guard let stored = clientSecretSHA256 else { return false }
        return ConstantTime.equal(Self.hashSecret(secret), stored)
    }

    /// Problems that make a registration unusable, phrased as what to change.
    public static func problems(redirectURIs: [String]) -> [String] {
        var problems: [String] = []
        if redirectURIs.isEmpty { problems.append("give at least one --redirect-uri") }
        return problems + uriProblems(redirectURIs)
    }

    /// Problems of logout URIs (the same rules as redirect URIs: absolute, no fragment, https but on loopback).
    public static func problems(postLogoutRedirectURIs: [String], backchannelLogoutURI: String?) -> [String] {
        uriProblems(postLogoutRedirectURIs + (backchannelLogoutURI.map { [$0] } ?? []))
    }

    public static func uriProblems(_ uris: [String]) -> [String] {
        var problems: [String] = []
        for uri in uris {
            guard let url = URL(string: uri), let scheme = url.scheme, url.host != nil || scheme != "https" && scheme != "http" else {
                problems.append("\(uri) is not an absolute URI"); continue
            }
            if url.fragment != nil || uri.contains("#") { problems.append("\(uri) must not contain a fragment (RFC 6749 §3.1.2)") }
            if uri.contains("*") { problems.append("\(uri) must not contain a wildcard: register every address exactly") }
            let loopback = url.host == "127.0.0.1" || url.host == "localhost" || url.host == "[::1]"
            if scheme == "http" && !loopback { problems.append("\(uri) must use https (plain http only on loopback)") }
        }
        return problems
    }
}
