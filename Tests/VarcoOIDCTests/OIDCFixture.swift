import Crypto
import Foundation
import VarcoCore
import VarcoOIDC
import VarcoStorageSQLite
import VarcoTesting

/// A provider on in-memory stores and a fixed clock, with one confidential and one public client.
struct OIDCFixture {
    static let keys = try! SigningKeys(rsaPrivateKeyPEM: SigningKeys.generateRSAPrivateKeyPEM(),
                                       ecPrivateKeyPEM: SigningKeys.generateECPrivateKeyPEM())
    static let secret = "s3cret-value-with-enough-entropy-for-tests-0001"
    static let redirect = "https://rp.example.it/cb"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    static let rossi = try! CodiceFiscale("RSSMRA80A01H501U")

    let clock = FixedClock()
    let grants = InMemoryOAuthGrantStore()
    let parties: InMemoryRelyingPartyStore
    let provider: OIDCProvider

    init() async throws {
        parties = InMemoryRelyingPartyStore([
            Self.client("conf", method: .clientSecretBasic), Self.client("post", method: .clientSecretPost), Self.client("pub", method: .none),
        ])
        let citizens = InMemoryCitizenStore()
        try await citizens.save(Citizen(codiceFiscale: Self.rossi, givenName: "Mario", familyName: "Rossi", dateOfBirth: "1980-01-01",
                                        placeOfBirth: "H501", countyOfBirth: "RM", gender: "M", email: "mario.rossi@example.it",
                                        mobilePhone: "+393331234567"))
        let stores = Stores(sessions: Unused(), logins: Unused(), relyingParties: parties, citizens: citizens,
                            otpCredentials: InMemoryOTPCredentialStore(), replay: InMemoryReplayCache(), audit: Unused(), oauthGrants: grants,
                            otp: try SQLiteStorage.inMemory().stores.otp, upstream: try SQLiteStorage.inMemory().stores.upstream,
                            administration: InMemoryAdministrationStore())
        provider = OIDCProvider(configuration: OIDCConfiguration(issuer: "https://idp.test", pairwiseSecret: Array(repeating: 7, count: 32)),
                                keys: Self.keys, stores: stores, clock: clock, random: SystemRandomSource())
    }

    static func client(_ id: String, method: ClientRegistration.AuthMethod) -> RelyingParty {
        let registration = ClientRegistration(clientID: id, clientName: id, redirectURIs: [redirect], tokenEndpointAuthMethod: method,
                                              clientSecretSHA256: method == .none ? nil : ClientRegistration.hashSecret(secret))
        return RelyingParty(id: id, kind: .oidcClient, displayName: id, metadata: registration.json, created: Date(timeIntervalSince1970: 0))
    }

    static func basic(_ id: String, _ secret: String = secret) -> String {
        "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
    }

    static func query(_ pairs: [(String, String)]) -> Substring {
        Substring(pairs.map { "\($0.0)=\(URLEncodedForm.encode($0.1))" }.joined(separator: "&"))
    }

    static func authorization(client: String = "conf", extra: [(String, String)] = [], without: Set<String> = []) -> Substring {
        let base = [("client_id", client), ("redirect_uri", redirect), ("response_type", "code"), ("scope", "openid profile"),
                    ("state", "st-1"), ("nonce", "n-1"), ("code_challenge", challenge), ("code_challenge_method", "S256")]
        return query(base.filter { !without.contains($0.0) } + extra)
    }

    /// A code for `client` after a login at SpidL2, as the login engine would have it issued.
    func code(client: String = "conf", pkce: Bool = true, scopes: [String] = ["openid", "profile"]) async throws -> String {
        let request = AuthorizationRequest(clientID: client, redirectURI: Self.redirect, scopes: scopes, state: "st-1",
                                           nonce: "n-1", codeChallenge: pkce ? Self.challenge : nil)
        let issued = try await provider.issueCode(for: request, result: AuthnResult(citizen: Self.rossi, level: .spidL2, method: .otpApp,
                                                                                    instant: clock.now()), sessionID: "session-1")
        let form = try URLEncodedForm(String(issued.redirect.split(separator: "?", maxSplits: 1)[1]))
        return try #require(form["code"])
    }

    func exchange(_ code: String, client: String = "conf", verifier: String? = verifier, secret: String = secret) async -> (OAuthJSONResponse, OAuthError?) {
        var pairs = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirect)]
        if let verifier { pairs.append(("code_verifier", verifier)) }
        switch client {
        case "conf": return await provider.token(body: Self.query(pairs), authorization: Self.basic(client, secret))
        case "post": return await provider.token(body: Self.query(pairs + [("client_id", client), ("client_secret", secret)]), authorization: nil)
        default: return await provider.token(body: Self.query(pairs + [("client_id", client)]), authorization: nil)
        }
    }

    static func tokens(_ answer: OAuthJSONResponse) throws -> TokenResponse {
        try JSONDecoder().decode(TokenResponse.self, from: Data(answer.body.utf8))
    }
}

import Testing

/// Stores the OIDC provider never touches.
struct Unused: SessionStore, LoginTransactionStore, AuditLog {
    struct Touched: Error {}
    func insert(_ session: SSOSession) async throws { throw Touched() }
    func find(id: String) async throws -> SSOSession? { throw Touched() }
    func update(id: String, _ change: @Sendable (inout SSOSession) throws -> Void) async throws -> SSOSession { throw Touched() }
    func delete(id: String) async throws { throw Touched() }
    func deleteIdle(lastSeenBefore cutoff: Date) async throws -> Int { throw Touched() }
    func expired(lastSeenBefore: Date, createdBefore: Date, limit: Int) async throws -> [SSOSession] { throw Touched() }
    func insert(_ transaction: LoginTransaction) async throws { throw Touched() }
    func find(id: String) async throws -> LoginTransaction? { throw Touched() }
    func update(id: String, _ change: @Sendable (inout LoginTransaction) throws -> Void) async throws -> LoginTransaction { throw Touched() }
    func deleteExpired(before cutoff: Date) async throws -> Int { throw Touched() }
    func append(_ event: AuditEvent) async throws { throw Touched() }
    func recent(limit: Int) async throws -> [AuditEvent] { throw Touched() }
    func deleteOlder(than cutoff: Date) async throws -> Int { throw Touched() }
}

actor InMemoryCitizenStore: CitizenStore {
    private var citizens: [String: Citizen] = [:]
    func save(_ citizen: Citizen) { citizens[citizen.codiceFiscale.value] = citizen }
    func find(_ codiceFiscale: CodiceFiscale) -> Citizen? { citizens[codiceFiscale.value] }
}
