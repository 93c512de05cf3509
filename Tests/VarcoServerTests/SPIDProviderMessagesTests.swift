import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoSAML
@testable import VarcoServer
import VarcoSPID
import VarcoXML

/// What a SPID provider may send besides a good Response: an error status with a SPID anomaly code, and a
/// LogoutRequest of its own (provider-initiated logout). Uses the stand-in provider of `SPIDLoginTests`.
@Suite struct SPIDProviderMessagesTests {
    /// Signs the citizen in at the FSE service through the stand-in provider; returns the session id and its upstream login.
    static func signIn(_ h: ServerHarness, _ varco: Varco, _ standIn: StandInIdentityProvider,
                       _ browser: Browser) async throws -> (String, UpstreamLogin) {
        let start = try await browser.get(try h.ssoURI("fse", id: "_p1", level: .spidL2))
        let login = try #require(start.headers[.location])
        let toProvider = try await browser.get(login + "/spid?idp=" + URLEncodedForm.encode(SPIDLoginTests.provider))
        let location = try #require(toProvider.headers[.location])
        let message = try RedirectBinding.decode(query: Substring(location.split(separator: "?", maxSplits: 1)[1]))
        let request = try #require(StandInIdentityProvider.read(message.xml))
        let sp = varco.upstream.spid
        let xml = try standIn.response(inResponseTo: request.id, audience: sp.entityID, acsURL: sp.assertionConsumerServiceURL,
                                       level: .spidL2, attributes: [("fiscalNumber", "TINIT-\(SPIDLoginTests.citizen)")],
                                       now: h.clock.now(), random: SystemRandomSource())
        let answer = try await browser.post("/spid/acs", form: [("SAMLResponse", Data(xml.utf8).base64EncodedString()),
                                                                ("RelayState", message.relayState ?? "")])
        #expect(answer.status == .ok)
        let sessionID = try #require(browser.cookies["varco_session"])
        let upstream = try #require(try await h.stores.sessions.find(id: sessionID)?.upstream)
        return (sessionID, upstream)
    }

    @Test func aLogoutRequestFromTheProviderEndsTheMatchingSession() async throws {
        let (h, varco, standIn) = try await SPIDLoginTests.harness()
        try await SPIDLoginTests.run(varco) { browser in
            let (sessionID, upstream) = try await Self.signIn(h, varco, standIn, browser)

            // Provider-initiated logout: a LogoutRequest signed by the provider ends this browser's session.
            let forged = UpstreamLogoutRequest(id: "_lo1", issueInstant: h.clock.now(), issuer: SPIDLoginTests.provider,
                                               destination: varco.upstream.spid.singleLogoutServiceURL, login: upstream)
            let attacker = try XMLSigningKey(privateKeyPEM: ServerHarness.spIdentity.privateKeyPEM,
                                             certificatePEM: ServerHarness.spIdentity.certificatePEM)
            let refused = try await browser.get(String(try forged.redirectURL(relayState: "r", key: attacker).dropFirst("https://idp.test".count)))
            #expect(refused.status == .forbidden, "a LogoutRequest not signed by the provider is refused")
            #expect(try await h.stores.sessions.find(id: sessionID) != nil)
            let fromProvider = try await browser.get(String(try forged.redirectURL(relayState: "r", key: standIn.key)
                .dropFirst("https://idp.test".count)))
            #expect(fromProvider.status == .found)
            let back = try #require(fromProvider.headers[.location])
            #expect(back.hasPrefix("https://spid-idp.test/slo?SAMLResponse="))
            let reply = try RedirectBinding.decode(query: Substring(back.split(separator: "?", maxSplits: 1)[1]), parameter: "SAMLResponse")
            let spidKey = try XMLVerificationKey(certificate: varco.upstream.spidKey.certificateBase64)
            let replySignature = try #require(reply.redirectSignature)
            #expect(RawSignature.verify(replySignature.signature, over: replySignature.signedOctets, algorithm: replySignature.algorithm,
                                        keys: [spidKey]))
            #expect(String(decoding: reply.xml, as: UTF8.self).contains("InResponseTo=\"_lo1\""))
            // The session is ended (single logout started by the provider, back channel only), not answered any more.
            let ended = try #require(try await h.stores.sessions.find(id: sessionID))
            #expect(ended.isEnded && ended.logout?.initiator == .upstreamProvider(SPIDLoginTests.provider))
            #expect(ended.logout?.steps.contains { $0.kind == .upstream } == false)
            #expect(try await varco.engine.sessions.current(sessionID) == nil)
            #expect(browser.cookies["varco_session"] == nil)
        }
    }

    @Test func aProviderErrorCodeIsExplainedAndTheCitizenMayPickAnotherWay() async throws {
        let (h, varco, standIn) = try await SPIDLoginTests.harness()
        try await SPIDLoginTests.run(varco) { browser in
            let start = try await browser.get(try h.ssoURI("fse", id: "_e1", level: .spidL2))
            let login = try #require(start.headers[.location])
            let toProvider = try await browser.get(login + "/spid?idp=" + URLEncodedForm.encode(SPIDLoginTests.provider))
            let location = try #require(toProvider.headers[.location])
            let message = try RedirectBinding.decode(query: Substring(location.split(separator: "?", maxSplits: 1)[1]))
            let request = try #require(StandInIdentityProvider.read(message.xml))
            let sp = varco.upstream.spid
            var xml = standIn.unsignedResponse(inResponseTo: request.id, audience: sp.entityID, acsURL: sp.assertionConsumerServiceURL,
                                               level: .spidL2, attributes: [], now: h.clock.now(), random: SystemRandomSource())
            let status = "<samlp:Status><samlp:StatusCode Value=\"\(SAMLStatus.TopLevel.responder.rawValue)\"><samlp:StatusCode "
                + "Value=\"\(SAMLStatus.SecondLevel.authnFailed.rawValue)\"/></samlp:StatusCode>"
                + "<samlp:StatusMessage>ErrorCode nr22</samlp:StatusMessage></samlp:Status>"
            // No assertion: everything from the Status on is replaced by the error status.
            let head = try #require(xml.range(of: "<samlp:Status>"))
            xml = String(xml[..<head.lowerBound]) + status + "</samlp:Response>"
            let signed = try standIn.sign(xml)
            let answer = try await browser.post("/spid/acs", form: [("SAMLResponse", Data(signed.utf8).base64EncodedString()),
                                                                    ("RelayState", message.relayState ?? "")])
            #expect(answer.status == .forbidden)
            let page = String(buffer: answer.body)
            #expect(page.contains("Hai negato il consenso"))
            #expect(page.contains("href=\"\(login)\""), "a link back to the method choice")
            #expect(browser.cookies["varco_session"] == nil)
            #expect(try await h.stores.upstream.archive.recent(limit: 1).first?.outcome.contains("nr22") == true)
        }
    }

}
