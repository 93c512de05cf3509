import Foundation
import VarcoCore
import VarcoSAML

/// The SAML engine's side of the login: build the signed Response for a finished transaction.
struct SAMLLoginProtocol: LoginProtocol {
    let builder: ResponseBuilder
    let stores: Stores
    let releasePolicy: AttributeReleasePolicy
    let sessionPolicy: SessionPolicy
    let clock: any WallClock
    let metadataCache: MetadataCache

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
        let (form, visit) = try builder.success(for: request, result: result, attributes: releasePolicy.values(released, of: citizen),
                                                settings: party.settings, sessionNotOnOrAfter: sessionEnd, now: clock.now())
        return (.postForm(form), visit)
    }

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
