import Crypto
import Foundation
import VarcoCore

/// The OpenID provider: its configuration, keys and stores. Each endpoint is an extension in its own
/// file; none of them knows about HTTP frameworks, they take the request's text and return an answer.
public struct OIDCProvider: Sendable {
    public let configuration: OIDCConfiguration
    /// Asked at each use, so that a key rollover applies without a restart.
    let currentKeys: @Sendable () -> SigningKeys
    public var keys: SigningKeys { currentKeys() }
    let clients: any RelyingPartyStore
    let grants: any OAuthGrantStore
    let citizens: any CitizenStore
    let replay: any ReplayCache
    let clock: any WallClock
    let random: any RandomSource

    public init(configuration: OIDCConfiguration, keys: SigningKeys, stores: Stores, clock: any WallClock, random: any RandomSource) {
        self.init(configuration: configuration, currentKeys: { keys }, stores: stores, clock: clock, random: random)
    }

    public init(configuration: OIDCConfiguration, currentKeys: @escaping @Sendable () -> SigningKeys, stores: Stores, clock: any WallClock,
                random: any RandomSource) {
        self.configuration = configuration
        self.currentKeys = currentKeys
        clients = stores.relyingParties
        grants = stores.oauthGrants
        citizens = stores.citizens
        replay = stores.replay
        self.clock = clock
        self.random = random
    }

    /// Pairwise subject (OIDC Core §8.1): stable per citizen and client, unlinkable across clients.
    public func subject(for citizen: CodiceFiscale, clientID: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("oidc|\(clientID)|\(citizen.value)".utf8),
                                                  using: SymmetricKey(data: configuration.pairwiseSecret))
        return Base64URL.encode(Array(mac))
    }

    /// The public `sid` of an SSO session: derived from, never equal to, the session id.
    public static func sessionIdentifier(for sessionID: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Data("sid|\(sessionID)".utf8))).prefix(24).map { $0 })
    }

    /// Authenticates clients at the token, introspection and revocation endpoints.
    var clientAuthenticator: ClientAuthenticator {
        ClientAuthenticator(clients: clients, replay: replay, clock: clock, audiences: [configuration.tokenEndpoint, configuration.issuer])
    }

    static func hash(_ token: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Data(token.utf8))))
    }
}
