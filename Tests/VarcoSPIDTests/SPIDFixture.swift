import Foundation
import VarcoCore
import VarcoSPID
import VarcoTesting
import VarcoXML

/// A stand-in SPID provider, Varco's SPID endpoints and a pending request, on a fixed clock.
struct SPIDFixture: Sendable {
    static let providerIdentity = try! SelfSignedIdentity.generate(commonName: "idp.test")
    static let spIdentity = try! SelfSignedIdentity.generate(commonName: "sp.test")
    static let attackerIdentity = try! SelfSignedIdentity.generate(commonName: "attacker.test")

    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let endpoints = ServiceProviderEndpoints(kind: .spid, publicURL: "https://varco.test")
    let standIn: StandInIdentityProvider
    let provider: UpstreamIdentityProvider
    let spKey: XMLSigningKey
    let attacker: StandInIdentityProvider

    init() throws {
        standIn = StandInIdentityProvider(
            entityID: "https://idp.test", ssoURL: "https://idp.test/sso",
            key: try XMLSigningKey(privateKeyPEM: Self.providerIdentity.privateKeyPEM, certificatePEM: Self.providerIdentity.certificatePEM))
        provider = try standIn.provider()
        spKey = try XMLSigningKey(privateKeyPEM: Self.spIdentity.privateKeyPEM, certificatePEM: Self.spIdentity.certificatePEM)
        attacker = StandInIdentityProvider(
            entityID: "https://idp.test", ssoURL: "https://idp.test/sso",
            key: try XMLSigningKey(privateKeyPEM: Self.attackerIdentity.privateKeyPEM, certificatePEM: Self.attackerIdentity.certificatePEM))
    }

    func pending(level: LevelOfAssurance = .spidL2, comparison: String = "minimum", kind: UpstreamLogin.Kind = .spid) -> PendingUpstreamRequest {
        PendingUpstreamRequest(id: "_request1", kind: kind, identityProvider: "https://idp.test", issueInstant: now.addingTimeInterval(-5),
                               requestedLevel: level, comparison: comparison, relayState: "relay", browserBinding: "browser",
                               loginTransaction: nil, expires: now.addingTimeInterval(900))
    }

    static let attributes = [("fiscalNumber", "TINIT-RSSMRA80A01H501U"), ("name", "Mario"), ("familyName", "Rossi"),
                             ("dateOfBirth", "1980-01-01")]

    func unsigned(level: LevelOfAssurance = .spidL2) -> String {
        standIn.unsignedResponse(inResponseTo: "_request1", audience: endpoints.entityID, acsURL: endpoints.assertionConsumerServiceURL,
                                 level: level, attributes: Self.attributes, now: now, random: SystemRandomSource())
    }

    func validate(_ xml: String, pending: PendingUpstreamRequest? = nil) throws(UpstreamResponseFailure) -> UpstreamAssertion {
        try UpstreamResponseValidator(endpoints: endpoints).validate(Array(xml.utf8), request: pending ?? self.pending(),
                                                                     provider: provider, now: now)
    }
}
