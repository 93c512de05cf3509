import Foundation
import VarcoCore
import VarcoSAML
import VarcoSPID

extension UpstreamLoginService {
    /// The outcome of a Response posted to an AssertionConsumerService.
    struct Accepted: Sendable {
        let request: PendingUpstreamRequest
        let assertion: UpstreamAssertion
    }

    struct Refused: Error {
        let failure: UpstreamResponseFailure
        let request: PendingUpstreamRequest?
    }

    /// Checks a Response received at `kind`'s AssertionConsumerService from this browser. The pending
    /// request it answers is consumed whatever the outcome (single use). Every response is archived.
    func receive(_ xml: [UInt8], relayState: String?, kind: UpstreamLogin.Kind, browser: String?,
                 client: String?) async throws -> Accepted {
        let now = clock.now()
        var request: PendingUpstreamRequest?
        var outcome: Result<UpstreamAssertion, UpstreamResponseFailure>
        var subject: String?
        do {
            let (taken, assertion) = try await check(xml, relayState: relayState, kind: kind, browser: browser, now: now)
            request = taken
            // Mapping: the fiscalNumber must hold a valid codice fiscale, or there is no login.
            do { subject = try assertion.codiceFiscale().value; outcome = .success(assertion) } catch { outcome = .failure(error) }
        } catch let refused as Refused {
            request = refused.request
            outcome = .failure(refused.failure)
        }
        try await stores.archive.append(ArchivedUpstreamResponse(
            received: now, kind: kind, identityProvider: request?.identityProvider, inResponseTo: request?.id, subject: subject,
            outcome: outcome.failureDetail, responseBase64: Data(xml).base64EncodedString(),
            clientAddress: client))
        switch outcome {
        case .success(let assertion):
            guard let request else { throw Refused(failure: .unexpected("no pending request"), request: nil) }
            return Accepted(request: request, assertion: assertion)
        case .failure(let failure):
            throw Refused(failure: failure, request: request)
        }
    }

    private func check(_ xml: [UInt8], relayState: String?, kind: UpstreamLogin.Kind, browser: String?,
                       now: Date) async throws -> (PendingUpstreamRequest, UpstreamAssertion) {
        // InResponseTo names the pending request; it is taken (single use) before anything else is believed.
        guard let id = UpstreamResponseValidator.inResponseTo(xml), !id.isEmpty, id.utf8.count <= 128 else {
            throw Refused(failure: .unexpected("no InResponseTo naming a pending request"), request: nil)
        }
        guard let request = try await stores.pending.take(id: id, now: now), request.purpose == .login else {
            throw Refused(failure: .unexpected("InResponseTo names no pending request (unsolicited, replayed or expired)"), request: nil)
        }
        guard let browser, ConstantTime.equal(browser, request.browserBinding) else {
            throw Refused(failure: .unexpected("the response arrived in another browser"), request: request)
        }
        guard request.kind == kind else { throw Refused(failure: .unexpected("response posted to the other service provider"), request: request) }
        if let relayState, !ConstantTime.equal(relayState, request.relayState) {
            throw Refused(failure: .mismatch("RelayState"), request: request)
        }
        guard let provider = await registry.provider(kind, entityID: request.identityProvider) else {
            throw Refused(failure: .unexpected("the provider is no longer in the registry"), request: request)
        }
        let validator = UpstreamResponseValidator(endpoints: endpoints(kind), clockSkew: settings.clockSkew)
        do {
            return (request, try validator.validate(xml, request: request, provider: provider, now: now))
        } catch {
            throw Refused(failure: error, request: request)
        }
    }
}

extension Result where Failure == UpstreamResponseFailure {
    var failureDetail: String {
        switch self {
        case .success: "accepted"
        case .failure(let failure): failure.detail
        }
    }
}
