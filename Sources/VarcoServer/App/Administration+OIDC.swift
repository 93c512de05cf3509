import Foundation
import VarcoCore
import VarcoOIDC

/// Registers, lists, re-keys and removes OIDC clients; used by the command line and the admin REST API.
struct OIDCClientRegistry: Sendable {
    let stores: Stores
    let clock: any WallClock
    let random: any RandomSource
    /// Who acts, for the audit log: "cli" or "admin:NAME".
    let actor: String

    struct Request: Sendable {
        var redirectURIs: [String]
        var isPublic = false
        var name: String?
        var authMethod: ClientRegistration.AuthMethod = .clientSecretBasic
        var postLogoutRedirectURIs: [String] = []
        var backchannelLogoutURI: String?
        var jwks: JWKSet?
        var frontchannelLogoutURI: String?
        /// The claims the client may receive; nil: every claim its scopes allow.
        var releasedClaims: [UserClaim]?
    }

    func add(_ request: Request) async throws -> Administration.IssuedClient {
        var problems = ClientRegistration.problems(redirectURIs: request.redirectURIs)
            + ClientRegistration.problems(postLogoutRedirectURIs: request.postLogoutRedirectURIs, backchannelLogoutURI: request.backchannelLogoutURI)
            + ClientRegistration.uriProblems(request.frontchannelLogoutURI.map { [$0] } ?? [])
        let method: ClientRegistration.AuthMethod = request.isPublic ? .none : request.authMethod
        if method == .privateKeyJWT && (request.jwks?.keys.isEmpty ?? true) { problems.append("private_key_jwt needs the client's keys (jwks)") }
        if method != .privateKeyJWT && request.jwks != nil { problems.append("jwks is only for private_key_jwt") }
        guard problems.isEmpty else { throw Administration.Failure(problems.joined(separator: "; ")) }
        let clientID = random.token(byteCount: 16)
        let secret = method == .none || method == .privateKeyJWT ? nil : random.token()
        var registration = ClientRegistration(clientID: clientID, clientName: request.name, redirectURIs: request.redirectURIs,
                                              tokenEndpointAuthMethod: method, clientSecretSHA256: secret.map(ClientRegistration.hashSecret),
                                              postLogoutRedirectURIs: request.postLogoutRedirectURIs.isEmpty ? nil : request.postLogoutRedirectURIs,
                                              backchannelLogoutURI: request.backchannelLogoutURI)
        registration.jwks = request.jwks
        registration.frontchannelLogoutURI = request.frontchannelLogoutURI
        let settings = RelyingPartySettings(releasedAttributes: request.releasedClaims.map(UserClaim.releasedAttributes(for:)))
        try await stores.relyingParties.save(RelyingParty(id: clientID, kind: .oidcClient, displayName: request.name ?? clientID,
                                                          metadata: registration.json, settings: settings, created: clock.now()))
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .relyingPartyAdded, subject: actor, relyingParty: clientID,
                                                 detail: "OIDC client registered (\(method.rawValue))"))
        return Administration.IssuedClient(clientID: clientID, secret: secret)
    }

    func list() async throws -> [(party: RelyingParty, registration: ClientRegistration?)] {
        try await stores.relyingParties.list().filter { $0.kind == .oidcClient }.map { ($0, ClientRegistration($0)) }
    }

    func find(_ clientID: String) async throws -> ClientRegistration? {
        guard let party = try await stores.relyingParties.find(id: clientID), party.kind == .oidcClient else { return nil }
        return ClientRegistration(party)
    }

    /// A new secret for a confidential client; the old one stops working at once.
    func rotateSecret(_ clientID: String) async throws -> Administration.IssuedClient {
        guard var party = try await stores.relyingParties.find(id: clientID), party.kind == .oidcClient,
              var registration = ClientRegistration(party) else {
            throw Administration.Failure("no OIDC client is registered as \(clientID); `varco client list` shows the registered ones")
        }
        guard registration.clientSecretSHA256 != nil else { throw Administration.Failure("\(clientID) has no secret (it is public or uses private_key_jwt)") }
        let secret = random.token()
        registration.clientSecretSHA256 = ClientRegistration.hashSecret(secret)
        party.metadata = registration.json
        party.version += 1
        try await stores.relyingParties.save(party)
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .relyingPartyAdded, subject: actor, relyingParty: clientID,
                                                 detail: "OIDC client secret rotated"))
        return Administration.IssuedClient(clientID: clientID, secret: secret)
    }

    /// Sets the claims a client may receive (nil: every claim its scopes allow), audited with before and after.
    func setReleasedClaims(_ clientID: String, _ claims: [UserClaim]?) async throws {
        guard let party = try await stores.relyingParties.find(id: clientID), party.kind == .oidcClient else {
            throw Administration.Failure("no OIDC client is registered as \(clientID); `varco client list` shows the registered ones")
        }
        let admin = RelyingPartyAdmin(stores: stores, clock: clock, random: random, actor: AdminActor(name: actor, client: nil), demo: false)
        do {
            _ = try await admin.change(id: clientID, expectedVersion: party.version, detail: "claims released changed") { party in
                party.settings.releasedAttributes = claims.map(UserClaim.releasedAttributes(for:))
            }
        } catch let failure as AdminFailure {
            throw Administration.Failure(failure.problems.map(\.detail).joined(separator: "; "))
        }
    }

    func remove(_ clientID: String) async throws {
        guard let party = try await stores.relyingParties.find(id: clientID), party.kind == .oidcClient else {
            throw Administration.Failure("no OIDC client is registered as \(clientID); `varco client list` shows the registered ones")
        }
        _ = try await stores.relyingParties.remove(id: clientID)
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .relyingPartyRemoved, subject: actor, relyingParty: clientID,
                                                 detail: "OIDC client removed"))
    }
}

extension Administration {
    /// A client just registered or given a new secret: the secret is shown once and never stored.
    public struct IssuedClient: Sendable {
        public let clientID: String
        /// nil for a public client or one that authenticates with private_key_jwt.
        public let secret: String?
    }

    var oidcClients: OIDCClientRegistry { OIDCClientRegistry(stores: stores, clock: clock, random: random, actor: "cli") }

    /// Registers an OIDC client. Clients with a secret get 256 random bits (stored as its SHA-256).
    public func addClient(redirectURIs: [String], isPublic: Bool, name: String?,
                          authMethod: ClientRegistration.AuthMethod = .clientSecretBasic,
                          postLogoutRedirectURIs: [String] = [], backchannelLogoutURI: String? = nil, jwks: JWKSet? = nil,
                          frontchannelLogoutURI: String? = nil, releasedClaims: [String]? = nil) async throws -> IssuedClient {
        try await oidcClients.add(.init(redirectURIs: redirectURIs, isPublic: isPublic, name: name, authMethod: authMethod,
                                        postLogoutRedirectURIs: postLogoutRedirectURIs, backchannelLogoutURI: backchannelLogoutURI, jwks: jwks,
                                        frontchannelLogoutURI: frontchannelLogoutURI, releasedClaims: try releasedClaims.map(Self.claims)))
    }

    /// Limits the claims a client receives to `names` (nil: every claim its scopes allow).
    public func setClientClaims(_ clientID: String, _ names: [String]?) async throws {
        try await oidcClients.setReleasedClaims(clientID, try names.map(Self.claims))
    }

    /// The claims named, or a failure naming the unknown ones.
    static func claims(_ names: [String]) throws -> [UserClaim] {
        let (claims, unknown) = UserClaim.named(names)
        guard unknown.isEmpty else { throw Failure("unknown claims: \(unknown.joined(separator: ", ")); known: \(UserClaim.names)") }
        guard !claims.isEmpty else { throw Failure("name at least one claim (or none of this option, to release every claim the scopes allow)") }
        return claims
    }

    public func clients() async throws -> [(party: RelyingParty, registration: ClientRegistration?)] {
        try await oidcClients.list()
    }

    /// The claims a client may receive, for `varco client list`: their names, or "all" when its scopes decide alone.
    public static func releasedClaims(of party: RelyingParty) -> String {
        party.settings.releasedAttributes.map { UserClaim.allowed(by: $0).map(\.rawValue).joined(separator: ",") } ?? "all"
    }

    /// A new secret for a confidential client; the old one stops working at once.
    public func rotateClientSecret(_ clientID: String) async throws -> IssuedClient {
        try await oidcClients.rotateSecret(clientID)
    }

    public func removeClient(_ clientID: String) async throws {
        try await oidcClients.remove(clientID)
    }
}
