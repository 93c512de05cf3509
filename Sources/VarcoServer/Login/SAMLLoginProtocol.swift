import Foundation
import VarcoCore
import VarcoSAML
import VarcoXML

/// The SAML engine's side of the login: build the signed Response for a finished transaction.
struct SAMLLoginProtocol: LoginProtocol {
    let builder: ResponseBuilder
    let stores: Stores
    let releasePolicy: AttributeReleasePolicy
    let sessionPolicy: SessionPolicy
    let clock: any WallClock
    let metadataCache: MetadataCache
    let auditor: Auditor

    var name: String { "saml" }

    func answer(_ transaction: LoginTransaction, result: AuthnResult, session: SSOSession) async throws -> (ProtocolAnswer, ServiceVisit) {
        guard let request = SAMLLoginRequest.decode(transaction.protocolState) else { throw LoginError.corruptTransaction }
        guard let party = try await stores.relyingParties.find(id: request.serviceProvider),
              let citizen = try await stores.citizens.find(result.citizen) else {
            throw LoginError.unknownParty
        }
        let metadata = try? metadataCache.entry(for: party.id, xml: party.metadata).metadata
        let requested = metadata?.requestedAttributes(index: request.attributeConsumingServiceIndex) ?? []
        let released = releasePolicy.release(requested: requested, settings: party.settings)
        let sessionEnd = session.created.addingTimeInterval(sessionPolicy.absoluteTimeout)
        let encryptionKey = try await encryptionKey(for: party, metadata: metadata, citizen: result.citizen)
        let (form, visit) = try builder.success(for: request, result: result, attributes: releasePolicy.values(released, of: citizen),
                                                settings: party.settings, encryptionKey: encryptionKey,
                                                sessionNotOnOrAfter: sessionEnd, now: clock.now())
        return (.postForm(form), visit)
    }

    /// The key to encrypt the assertion to, when the service wants encryption. Its metadata may have lost the key
    /// since registration (a refresh): then no assertion leaves, in clear or otherwise; the citizen is told and the
    /// event audited.
    private func encryptionKey(for party: RelyingParty, metadata: ServiceProviderMetadata?, citizen: CodiceFiscale) async throws
        -> XMLEncryptionCertificate? {
        guard party.settings.encryptAssertion else { return nil }
        guard let key = metadata?.encryptionKey() else {
            await auditor.record(.requestRejected, subject: citizen.value, relyingParty: party.id,
                                 detail: "no assertion sent: encryption is on but the metadata has no usable encryption certificate")
            throw WebError(.internalServerError, "error_noEncryptionKey", detail: "no encryption key for \(party.id)")
        }
        return key
    }

    /// Failure responses carry no assertion and are never encrypted.
    func answer(_ transaction: LoginTransaction, failure: LoginFailure) async throws -> ProtocolAnswer {
        guard let request = SAMLLoginRequest.decode(transaction.protocolState) else { throw LoginError.corruptTransaction }
        let reply = SAMLErrorReply(serviceProvider: request.serviceProvider, destination: request.assertionConsumerServiceURL,
                                   inResponseTo: request.requestID, relayState: request.relayState, status: SAMLStatus(failure))
        return .postForm(try builder.failure(reply, now: clock.now()))
    }
}

enum LoginError: Error {
    case corruptTransaction
    case unknownParty
    case unknownProtocol(String)
    case alreadyFinished
}
