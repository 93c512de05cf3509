import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoSAML
@testable import VarcoServer
import VarcoXML

/// A SAML service whose metadata offers only the SOAP binding for single logout is told over the back
/// channel: a live loopback service checks Varco's signed LogoutRequest and answers a signed LogoutResponse.
@Suite struct SOAPLogoutTests {
    /// The service's SOAP endpoint: verifies Varco's signature, answers Success (or refuses with HTTP 500).
    static func service(_ h: ServerHarness, answer status: SAMLStatus) -> Application<RouterResponder<BasicRequestContext>> {
        let router = Router()
        router.post("/soap") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 256 * 1024)
            let inbound = try SOAPBinding.decode(Array(buffer: body))
            let varcoKey = try XMLVerificationKey(certificate: h.varco.signingKey.certificateBase64)
            let logout = try LogoutRequest(try EnvelopedSignature.verify(try XMLDocument(bytes: inbound.xml).root, keys: [varcoKey]).root)
            let messages = LogoutMessageBuilder(configuration: IdentityProviderConfiguration(entityID: h.entityID("bandi"), ssoURL: "",
                                                                                             pairwiseSecret: []),
                                                key: h.spKey, random: SystemRandomSource())
            let reply = LogoutReply(serviceProvider: "https://idp.test/metadata",
                                    endpoint: .init(binding: SAMLBinding.httpPOST.rawValue, location: "https://idp.test/slo"),
                                    inResponseTo: logout.id, relayState: nil, status: status)
            guard case .post(let form) = try messages.response(reply, now: h.clock.now()),
                  let xml = Data(base64Encoded: form.value) else { return Response(status: .internalServerError) }
            let envelope = SOAPBinding.envelope(try XMLDocument(bytes: Array(xml)).serializedRoot())
            return Response(status: .ok, headers: [.contentType: "text/xml"], body: .init(byteBuffer: ByteBuffer(string: envelope)))
        }
        return Application(router: router)
    }

    func registerSOAPOnly(_ h: ServerHarness, port: Int) async throws {
        let metadata = h.metadata("bandi").replacingOccurrences(
            of: "<md:AssertionConsumerService",
            with: #"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="http://localhost:\#(port)/soap"/><md:AssertionConsumerService"#)
        try await h.stores.relyingParties.save(RelyingParty(id: h.entityID("bandi"), kind: .samlServiceProvider, displayName: "BANDI",
                                                            metadata: metadata, created: h.clock.now()))
    }

    func logOutAtVarco(_ h: ServerHarness, answer status: SAMLStatus, check: @escaping @Sendable (LogoutStep) -> Void) async throws {
        try await Self.service(h, answer: status).test(.live) { service in
            try await registerSOAPOnly(h, port: try #require(service.port))
            try await h.run { browser in
                _ = try await LoginFlowTests().login(h, browser, id: "_s1")
                _ = try await browser.get(try h.ssoURI("bandi", id: "_s2"))
                let sessionID = try #require(browser.cookies["varco_session"])
                let ask = try await browser.get("/logout")
                _ = try await browser.post("/logout", form: [("csrf", try #require(Browser.hidden("csrf", in: ask)))])
                check(try #require(try await h.stores.sessions.find(id: sessionID)?.logout?.steps.first { $0.relyingParty == h.entityID("bandi") }))
                let page = String(buffer: try await browser.get("/logout/progress").body)
                #expect(page.contains("BANDI"))
            }
        }
    }

    @Test func aSOAPOnlyServiceIsToldOverTheBackChannel() async throws {
        let h = try await ServerHarness.make()
        try await logOutAtVarco(h, answer: .success) { step in
            #expect(step.channel == .backChannel && step.outcome == .loggedOut)
        }
    }

    @Test func aSOAPServiceThatRefusesIsRecordedAsFailed() async throws {
        let h = try await ServerHarness.make()
        try await logOutAtVarco(h, answer: SAMLStatus(.responder)) { step in
            #expect(step.channel == .backChannel && step.outcome == .failed)
            #expect(step.detail?.contains("urn:oasis:names:tc:SAML:2.0:status:Responder") == true)
        }
    }
}
