import Foundation
import Testing
import VarcoCore
@testable import VarcoSAML
import VarcoTesting
import VarcoXML

/// The checks of an inbound LogoutRequest and LogoutResponse, in isolation, and Varco's own logout messages.
@Suite struct LogoutRequestReceiverTests {
    static let slo = "https://idp.test/slo"
    let f = SAMLFixture()
    var idp: IdentityProviderConfiguration {
        var idp = f.idp
        idp.sloURL = Self.slo
        return idp
    }
    var receiver: LogoutRequestReceiver {
        LogoutRequestReceiver(configuration: idp, relyingParties: f.parties, replay: f.replay, clock: f.clock, metadataCache: MetadataCache())
    }

    func register(entityID: String? = nil, slo: Bool = true) async {
        let id = entityID ?? f.spEntityID
        let endpoint = slo ? #"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sp.test/slo"/>"# : ""
        let metadata = f.metadata().replacingOccurrences(of: f.spEntityID, with: id)
            .replacingOccurrences(of: "<md:AssertionConsumerService", with: endpoint + "<md:AssertionConsumerService")
        await f.parties.save(RelyingParty(id: id, kind: .samlServiceProvider, displayName: "SP", metadata: metadata, created: f.clock.now()))
    }

    func logoutRequest(id: String = "_lo1", issuer: String? = nil, instant: Date? = nil, destination: String? = slo,
                       prefix: String = "") -> String {
        let dest = destination.map { #" Destination="\#($0)""# } ?? ""
        return prefix + """
            <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="\(id)" Version="2.0" IssueInstant="\(SAMLTime.format(instant ?? f.clock.now()))"\(dest)>\
            <saml:Issuer>\(issuer ?? f.spEntityID)</saml:Issuer>\
            <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">_nameid</saml:NameID>\
            <samlp:SessionIndex>_si</samlp:SessionIndex></samlp:LogoutRequest>
            """
    }

    func redirect(_ xml: String, key: XMLSigningKey? = nil) throws -> InboundMessage {
        let url = try RedirectBinding.encode(xml: xml, relayState: "rs", destination: Self.slo, key: key ?? f.spKey)
        return try RedirectBinding.decode(query: url.split(separator: "?", maxSplits: 1)[1])
    }

    private func refusal(_ outcome: LogoutRequestOutcome) -> Refusal.Kind? {
        if case .refuse(let refusal) = outcome { return refusal.kind }
        return nil
    }

    private func status(_ outcome: LogoutRequestOutcome) -> SAMLStatus? {
        if case .respond(let reply) = outcome { return reply.status }
        return nil
    }

    @Test func signedRedirectRequestIsAcceptedWithItsNameIDAndSessionIndex() async throws {
        await register()
        guard case .accept(let accepted) = try await receiver.receive(try redirect(logoutRequest())) else {
            Issue.record("not accepted")
            return
        }
        #expect(accepted.request.nameID == "_nameid" && accepted.request.sessionIndexes == ["_si"])
        #expect(accepted.answerTo.location == "https://sp.test/slo" && accepted.relayState == "rs")
    }

    @Test func signedPostRequestIsAccepted() async throws {
        await register()
        let outcome = try await receiver.receive(try f.signedPost(logoutRequest()))
        guard case .accept = outcome else { Issue.record("not accepted: \(outcome)"); return }
    }

    @Test func unsignedRequestIsRefusedEvenWhenTheMetadataDoesNotAskForSignatures() async throws {
        await register()
        #expect(refusal(try await receiver.receive(f.post(logoutRequest()))) == .missingSignature)
        #expect(refusal(try await receiver.receive(try RedirectBinding.decode(query: Substring(
            String(try RedirectBinding.encode(xml: logoutRequest(), relayState: nil, destination: Self.slo, key: nil).split(separator: "?")[1])))))
            == .missingSignature)
    }

    @Test func requestSignedWithAnotherServicesKeyIsRefused() async throws {
        await register()
        #expect(refusal(try await receiver.receive(try redirect(logoutRequest(), key: f.strangerKey))) == .badSignature)
        #expect(refusal(try await receiver.receive(try f.signedPost(logoutRequest(), key: f.strangerKey))) == .badSignature)
    }

    @Test func replayedRequestIsRefused() async throws {
        await register()
        guard case .accept = try await receiver.receive(try redirect(logoutRequest())) else { Issue.record("first not accepted"); return }
        #expect(refusal(try await receiver.receive(try redirect(logoutRequest()))) == .replayedRequest)
    }

    @Test func staleOrFutureRequestIsAnsweredWithRequester() async throws {
        await register()
        let stale = try await receiver.receive(try redirect(logoutRequest(instant: f.clock.now().addingTimeInterval(-3600))))
        #expect(status(stale)?.code == .requester)
        let future = try await receiver.receive(try redirect(logoutRequest(id: "_lo2", instant: f.clock.now().addingTimeInterval(3600))))
        #expect(status(future)?.code == .requester)
    }

    @Test func wrongOrMissingDestinationIsAnsweredWithRequester() async throws {
        await register()
        #expect(status(try await receiver.receive(try redirect(logoutRequest(destination: "https://idp.test/sso"))))?.code == .requester)
        #expect(status(try await receiver.receive(try redirect(logoutRequest(id: "_lo2", destination: nil))))?.code == .requester)
    }

    @Test func unknownIssuerDoctypeAndMissingEndpointAreRefused() async throws {
        await register()
        #expect(refusal(try await receiver.receive(try redirect(logoutRequest(issuer: "https://evil.test/metadata")))) == .unknownService)
        let doctype = try await receiver.receive(try redirect(logoutRequest(prefix: #"<!DOCTYPE x [<!ENTITY e "e">]>"#)))
        #expect(refusal(doctype) == .malformedMessage)
        await register(entityID: "https://noslo.test/metadata", slo: false)
        #expect(refusal(try await receiver.receive(try redirect(logoutRequest(issuer: "https://noslo.test/metadata")))) == .noLogoutEndpoint)
    }

    @Test func varcosLogoutRequestAndResponseAreSignedAndReadBack() async throws {
        await register()
        let builder = LogoutMessageBuilder(configuration: idp, key: f.idpKey, random: SystemRandomSource())
        let endpoint = ServiceProviderMetadata.Endpoint(binding: SAMLBinding.httpRedirect.rawValue, location: "https://sp.test/slo")
        let (id, message) = try builder.request(to: endpoint, serviceProvider: f.spEntityID, nameID: "_n", nameIDFormat: NameIDFormat.transient,
                                                sessionIndex: "_s", lifetime: 60, now: f.clock.now())
        guard case .redirect(let url) = message else { Issue.record("expected a redirect"); return }
        let inbound = try RedirectBinding.decode(query: url.split(separator: "?", maxSplits: 1)[1])
        let idpKey = try XMLVerificationKey(certificate: f.idpKey.certificateBase64)
        let signature = try #require(inbound.redirectSignature)
        #expect(RawSignature.verify(signature.signature, over: signature.signedOctets, algorithm: signature.algorithm, keys: [idpKey]))
        let parsed = try LogoutRequest(try XMLDocument(bytes: inbound.xml).root)
        #expect(parsed.id == id && parsed.nameID == "_n" && parsed.sessionIndexes == ["_s"] && parsed.destination == "https://sp.test/slo")

        let reply = LogoutReply(serviceProvider: f.spEntityID, endpoint: .init(binding: SAMLBinding.httpPOST.rawValue, location: "https://sp.test/slo"),
                                inResponseTo: "_lo1", relayState: "rs", status: SAMLStatus(.success, .partialLogout))
        guard case .post(let form) = try builder.response(reply, now: f.clock.now()) else { Issue.record("expected a form"); return }
        let document = try XMLDocument(bytes: Array(try #require(Data(base64Encoded: form.value))))
        let verified = try EnvelopedSignature.verify(document.root, keys: [idpKey])
        let response = try LogoutResponse(verified.root)
        #expect(response.isSuccess && response.subStatus == SAMLStatus.SecondLevel.partialLogout.rawValue && response.inResponseTo == "_lo1")
    }

    @Test func logoutResponseMustBeSignedByTheServiceAndSentHere() async throws {
        await register()
        let responses = LogoutResponseReceiver(configuration: idp, relyingParties: f.parties, metadataCache: MetadataCache())
        func response(destination: String = Self.slo, inResponseTo: String = "_x") -> String {
            """
            <samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="_resp" Version="2.0" IssueInstant="\(SAMLTime.format(f.clock.now()))" Destination="\(destination)" InResponseTo="\(inResponseTo)">\
            <saml:Issuer>\(f.spEntityID)</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>\
            </samlp:Status></samlp:LogoutResponse>
            """
        }
        let good = try await responses.receive(try f.signedPost(response()))
        #expect((try? good.get())?.inResponseTo == "_x")
        let unsigned = try await responses.receive(f.post(response()))
        let stranger = try await responses.receive(try f.signedPost(response(), key: f.strangerKey))
        let elsewhere = try await responses.receive(try f.signedPost(response(destination: "https://evil.test/")))
        for (outcome, expected) in [(unsigned, Refusal.Kind.missingSignature), (stranger, .badSignature), (elsewhere, .malformedMessage)] {
            guard case .failure(let refusal) = outcome else { Issue.record("accepted: \(outcome)"); continue }
            #expect(refusal.kind == expected)
        }
    }

    @Test func soapLogoutRequestIsSignedInsideTheEnvelopeAndReadBack() async throws {
        let builder = LogoutMessageBuilder(configuration: idp, key: f.idpKey, random: SystemRandomSource())
        let endpoint = ServiceProviderMetadata.Endpoint(binding: SAMLBinding.soap.rawValue, location: "https://sp.test/soap")
        let (id, xml) = try builder.soapRequest(to: endpoint, serviceProvider: f.spEntityID, nameID: "_n", nameIDFormat: NameIDFormat.transient,
                                                sessionIndex: "_s", lifetime: 60, now: f.clock.now())
        let inbound = try SOAPBinding.decode(Array(SOAPBinding.envelope(xml).utf8))
        #expect(inbound.binding == .soap)
        let verified = try EnvelopedSignature.verify(try XMLDocument(bytes: inbound.xml).root,
                                                     keys: [try XMLVerificationKey(certificate: f.idpKey.certificateBase64)])
        let request = try LogoutRequest(verified.root)
        #expect(request.id == id && request.destination == "https://sp.test/soap" && request.sessionIndexes == ["_s"])
        #expect(throws: BindingError.missingMessage) { try SOAPBinding.decode(Array("<notsoap/>".utf8)) }
    }
}
