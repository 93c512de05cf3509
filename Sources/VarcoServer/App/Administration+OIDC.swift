import Foundation
import VarcoCore
import VarcoOIDC

extension Administration {
    /// A client just registered or given a new secret: the secret is shown once and never stored.
    public struct IssuedClient: Sendable {
        public let clientID: String
        /// nil for a public client.
        public let secret: String?
    }

    /// Registers an OIDC client. Confidential clients get a 256-bit secret (stored as its SHA-256).
    public func addClient(redirectURIs: [String], isPublic: Bool, name: String?,
                          authMethod: ClientRegistration.AuthMethod = .clientSecretBasic) async throws -> IssuedClient {
        let problems = ClientRegistration.problems(redirectURIs: redirectURIs)
        guard problems.isEmpty else { throw Failure(problems.joined(separator: "; ")) }
        let clientID = random.token(byteCount: 16)
        let secret = isPublic ? nil : random.token()
        let registration = ClientRegistration(clientID: clientID, clientName: name, redirectURIs: redirectURIs,
                                              tokenEndpointAuthMethod: isPublic ? .none : authMethod,
                                              clientSecretSHA256: secret.map(ClientRegistration.hashSecret))
        try await stores.relyingParties.save(RelyingParty(id: clientID, kind: .oidcClient, displayName: name ?? clientID,
                                                          metadata: registration.json, created: clock.now()))
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .relyingPartyAdded, subject: "cli", relyingParty: clientID,
                                                 detail: "OIDC client registered (\(isPublic ? "public" : "confidential"))"))
        return IssuedClient(clientID: clientID, secret: secret)
    }

    public func clients() async throws -> [(party: RelyingParty, registration: ClientRegistration?)] {
        try await stores.relyingParties.list().filter { $0.kind == .oidcClient }.map { ($0, ClientRegistration($0)) }
    }

    /// A new secret for a confidential client; the old one stops working at once.
    public func rotateClientSecret(_ clientID: String) async throws -> IssuedClient {
        guard var party = try await stores.relyingParties.find(id: clientID), party.kind == .oidcClient,
              var registration = ClientRegistration(party) else {
            throw Failure("no OIDC client is registered as \(clientID); `varco client list` shows the registered ones")
        }
        guard !registration.isPublic else { throw Failure("\(clientID) is a public client: it has no secret") }
        let secret = random.token()
        registration.clientSecretSHA256 = ClientRegistration.hashSecret(secret)
        party.metadata = registration.json
        try await stores.relyingParties.save(party)
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .relyingPartyAdded, subject: "cli", relyingParty: clientID,
                                                 detail: "OIDC client secret rotated"))
        return IssuedClient(clientID: clientID, secret: secret)
    }

    public func removeClient(_ clientID: String) async throws {
        guard let party = try await stores.relyingParties.find(id: clientID), party.kind == .oidcClient else {
            throw Failure("no OIDC client is registered as \(clientID); `varco client list` shows the registered ones")
        }
        _ = try await stores.relyingParties.remove(id: clientID)
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .relyingPartyRemoved, subject: "cli", relyingParty: clientID,
                                                 detail: "OIDC client removed"))
    }
}
