import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoOIDC
import VarcoSAML
@testable import VarcoServer
import VarcoXML

/// Single logout through the real router: started at a service, on Varco's "Esci", with a service that never
/// answers; and every hostile input refused without ending any session.
@Suite struct SingleLogoutFlowTests {
    /// Registers the harness's services again, now with an HTTP-Redirect SingleLogoutService each.
    func withLogoutEndpoints(_ h: ServerHarness) async throws {
        for sp in ["fse", "bandi"] {
            let metadata = h.metadata(sp).replacingOccurrences(
                of: "<md:AssertionConsumerService",
                with: #"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://\#(sp).test/slo"/><md:AssertionConsumerService"#)
            try await h.stores.relyingParties.save(RelyingParty(id: h.entityID(sp), kind: .samlServiceProvider, displayName: sp.uppercased(),
                                                                metadata: metadata, created: h.clock.now()))
        }
    }

    /// Logs in at FSE, then at Bandi through SSO; returns what each service got.
    func loginAtBoth(_ h: ServerHarness, _ browser: Browser) async throws -> (fse: ResponseValidator.Login, bandi: ResponseValidator.Login) {
        let flow = LoginFlowTests()
        let fse = try flow.assertion(h, try await flow.login(h, browser, id: "_f1"), id: "_f1")
        let bandi = try flow.assertion(h, try await browser.get(try h.ssoURI("bandi", id: "_b1")), sp: "bandi", id: "_b1")
        return (fse, bandi)
    }

    func logoutRequest(_ h: ServerHarness, from sp: String, id: String, nameID: String, sessionIndex: String?,
                       instant: Date? = nil, key: XMLSigningKey? = nil, signed: Bool = true, prefix: String = "") throws -> String {
        let index = sessionIndex.map { "<samlp:SessionIndex>\($0)</samlp:SessionIndex>" } ?? ""
        let xml = prefix + """
            <samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="\(id)" Version="2.0" IssueInstant="\(SAMLTime.format(instant ?? h.clock.now()))" Destination="https://idp.test/slo">\
            <saml:Issuer>\(h.entityID(sp))</saml:Issuer>\
            <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">\(nameID)</saml:NameID>\(index)</samlp:LogoutRequest>
            """
        let url = try RedirectBinding.encode(xml: xml, relayState: "rs-\(sp)", destination: "https://idp.test/slo",
                                             key: signed ? (key ?? h.spKey) : nil)
        return String(url.dropFirst("https://idp.test".count))
    }

    /// Reads a signed Redirect-binding message Varco sent to a service, checking Varco's signature.
    func received(_ h: ServerHarness, _ location: String, parameter: String) throws -> (xml: XMLDocument, relayState: String?) {
        let inbound = try RedirectBinding.decode(query: location.split(separator: "?", maxSplits: 1)[1], parameter: parameter)
        let signature = try #require(inbound.redirectSignature)
        let key = try XMLVerificationKey(certificate: h.varco.signingKey.certificateBase64)
        #expect(RawSignature.verify(signature.signature, over: signature.signedOctets, algorithm: signature.algorithm, keys: [key]))
        return (try XMLDocument(bytes: inbound.xml), inbound.relayState)
    }

    /// The service's signed answer to Varco's LogoutRequest, as the browser brings it back.
    func logoutResponseURI(_ h: ServerHarness, from sp: String, inResponseTo: String, key: XMLSigningKey? = nil) throws -> String {
        let xml = """
            <samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="_r\(UUID().uuidString)" Version="2.0" IssueInstant="\(SAMLTime.format(h.clock.now()))" Destination="https://idp.test/slo" \
            InResponseTo="\(inResponseTo)"><saml:Issuer>\(h.entityID(sp))</saml:Issuer>\
            <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>
            """
        let url = try RedirectBinding.encode(xml: xml, parameter: "SAMLResponse", relayState: nil, destination: "https://idp.test/slo",
                                             key: key ?? h.spKey)
        return String(url.dropFirst("https://idp.test".count))
    }

    func live(_ h: ServerHarness, _ id: String) async throws -> Bool {
        try await h.stores.sessions.find(id: id).map { !$0.isEnded } ?? false
    }

    @Test func logoutStartedAtOneServiceReachesTheOtherAndAnswersSuccess() async throws {
        let h = try await ServerHarness.make()
        try await withLogoutEndpoints(h)
        try await h.run { browser in
            let (fse, bandi) = try await loginAtBoth(h, browser)
            let sessionID = try #require(browser.cookies["varco_session"])
            let start = try await browser.get(try logoutRequest(h, from: "fse", id: "_lo1", nameID: fse.nameID, sessionIndex: fse.sessionIndex))
            #expect(start.status == .seeOther && start.headers[.location] == "/logout/progress")
            // The session ended first, before any participant was told.
            #expect(browser.cookies["varco_session"] == nil && browser.cookies["varco_logout"] == sessionID)
            #expect(try await !live(h, sessionID))

            let progress = try await browser.get("/logout/progress")
            #expect(progress.status == .ok && String(buffer: progress.body).contains(#"src="/logout/frame/0""#))
            #expect(progress.headers[.refresh]?.hasSuffix("url=/logout/progress?waited=0") == true)
            #expect(progress.headers[.contentSecurityPolicy]?.contains("frame-src 'self' https://bandi.test") == true)

            let frame = try await browser.get("/logout/frame/0")
            let toBandi = try #require(frame.headers[.location])
            #expect(toBandi.hasPrefix("https://bandi.test/slo?SAMLRequest="))
            #expect(frame.headers[.xFrameOptions] == "SAMEORIGIN")
            let request = try LogoutRequest(try received(h, toBandi, parameter: "SAMLRequest").xml.root)
            #expect(request.nameID == bandi.nameID && request.sessionIndexes == [bandi.sessionIndex ?? ""])
            #expect(request.issuer == "https://idp.test/metadata" && request.destination == "https://bandi.test/slo")

            let answered = try await browser.get(try logoutResponseURI(h, from: "bandi", inResponseTo: request.id))
            #expect(answered.status == .ok && String(buffer: answered.body).contains(#"target="_top""#))
            // The same answer again answers nothing Varco is waiting for.
            let again = try await browser.get(try logoutResponseURI(h, from: "bandi", inResponseTo: request.id))
            #expect(again.status == .badRequest)

            let result = try await browser.get("/logout/progress")
            let page = String(buffer: result.body)
            #expect(result.status == .ok && page.contains("BANDI") && page.contains("disconnesso") && !page.contains("non ha risposto"))
            let back = try #require(Browser.link(id: "logout-return", in: result))
            #expect(back.hasPrefix("https://fse.test/slo?SAMLResponse="))
            let (xml, relayState) = try received(h, back, parameter: "SAMLResponse")
            let response = try LogoutResponse(xml.root)
            #expect(response.isSuccess && response.subStatus == nil && response.inResponseTo == "_lo1" && relayState == "rs-fse")

            let stored = try #require(try await h.stores.sessions.find(id: sessionID)?.logout)
            #expect(stored.steps.map(\.outcome) == [.loggedOut] && stored.finished != nil)
            // A new request from either service needs a full login.
            for sp in ["fse", "bandi"] {
                let login = try await browser.get(try h.ssoURI(sp, id: "_after-\(sp)"))
                #expect(login.headers[.location]?.hasPrefix("/login/") == true)
            }
        }
        let audit = try await h.stores.audit.recent(limit: 50).map(\.detail)
        #expect(audit.contains { $0.hasPrefix("single logout started by SAML LogoutRequest from https://fse.test/metadata") })
        #expect(audit.contains { $0.hasPrefix("single logout finished: https://bandi.test/metadata loggedOut") })
    }

    @Test func aServiceThatNeverAnswersGivesPartialLogoutAndTheSessionIsStillEnded() async throws {
        let h = try await ServerHarness.make()
        try await withLogoutEndpoints(h)
        try await h.run { browser in
            let (fse, _) = try await loginAtBoth(h, browser)
            let sessionID = try #require(browser.cookies["varco_session"])
            _ = try await browser.get(try logoutRequest(h, from: "fse", id: "_lo2", nameID: fse.nameID, sessionIndex: fse.sessionIndex))
            _ = try await browser.get("/logout/progress")
            _ = try await browser.get("/logout/frame/0")
            // Bandi never answers: the progress page's refresh comes back with `waited`.
            let result = try await browser.get("/logout/progress?waited=0")
            let page = String(buffer: result.body)
            #expect(page.contains("BANDI") && page.contains("non ha risposto: chiudi il browser") && page.contains(#"role="alert""#))
            let back = try #require(Browser.link(id: "logout-return", in: result))
            let response = try LogoutResponse(try received(h, back, parameter: "SAMLResponse").xml.root)
            #expect(response.isSuccess && response.subStatus == SAMLStatus.SecondLevel.partialLogout.rawValue)
            #expect(try await !live(h, sessionID))
            #expect(try await h.stores.sessions.find(id: sessionID)?.logout?.steps.first?.outcome == .noAnswer)
            let english = try await browser.get("/logout/progress?lang=en")
            #expect(String(buffer: english.body).contains("did not answer: close the browser"))
        }
    }

    @Test func esciOnVarcosPageNeedsItsTokenAndThenTellsEveryService() async throws {
        let h = try await ServerHarness.make()
        try await withLogoutEndpoints(h)
        try await h.run { browser in
            _ = try await loginAtBoth(h, browser)
            let sessionID = try #require(browser.cookies["varco_session"])
            // A forged cross-site form (no token, or a made-up one) logs nobody out.
            for form in [[(String, String)](), [("csrf", "forged")]] {
                let forged = try await browser.post("/logout", form: form)
                #expect(forged.status == .forbidden)
                #expect(try await live(h, sessionID))
            }
            let ask = try await browser.get("/logout")
            #expect(ask.status == .ok)
            let token = try #require(Browser.hidden("csrf", in: ask))
            let start = try await browser.post("/logout", form: [("csrf", token)])
            #expect(start.status == .seeOther && start.headers[.location] == "/logout/progress")
            #expect(try await !live(h, sessionID))
            var answered = 0
            for index in 0..<2 {
                let frame = try await browser.get("/logout/frame/\(index)")
                let location = try #require(frame.headers[.location])
                let sp = location.hasPrefix("https://fse.test") ? "fse" : "bandi"
                let request = try LogoutRequest(try received(h, location, parameter: "SAMLRequest").xml.root)
                #expect(try await browser.get(try logoutResponseURI(h, from: sp, inResponseTo: request.id)).status == .ok)
                answered += 1
            }
            let result = try await browser.get("/logout/progress")
            let page = String(buffer: result.body)
            #expect(answered == 2 && page.contains("FSE") && page.contains("BANDI") && !page.contains("non ha risposto"))
            #expect(Browser.link(id: "logout-return", in: result) == nil)
        }
        let forgedAudited = try await h.stores.audit.recent(limit: 50).filter { $0.detail.hasPrefix("logout refused: the form token") }
        #expect(forgedAudited.count == 2)
    }

    @Test func hostileLogoutRequestsAreRefusedAndEndNoSession() async throws {
        let h = try await ServerHarness.make()
        try await withLogoutEndpoints(h)
        let stranger = try XMLSigningKey(privateKeyPEM: ServerHarness.strangerIdentity.privateKeyPEM,
                                         certificatePEM: ServerHarness.strangerIdentity.certificatePEM)
        try await h.run { browser in
            let flow = LoginFlowTests()
            let fse = try flow.assertion(h, try await flow.login(h, browser, id: "_h1"), id: "_h1")
            let sessionID = try #require(browser.cookies["varco_session"])
            func status(_ location: String?) throws -> String {
                let response = try LogoutResponse(try received(h, try #require(location), parameter: "SAMLResponse").xml.root)
                return response.status + " " + (response.subStatus ?? "")
            }
            let requester = SAMLStatus.TopLevel.requester.rawValue + " "
            let unknownPrincipal = requester + SAMLStatus.SecondLevel.unknownPrincipal.rawValue
            // unsigned, signed by another key, DOCTYPE: an error page, no redirect
            let unsigned = try await browser.get(try logoutRequest(h, from: "fse", id: "_x1", nameID: fse.nameID, sessionIndex: fse.sessionIndex, signed: false))
            #expect(unsigned.status == .forbidden && unsigned.headers[.location] == nil)
            let foreign = try await browser.get(try logoutRequest(h, from: "fse", id: "_x2", nameID: fse.nameID, sessionIndex: fse.sessionIndex, key: stranger))
            #expect(foreign.status == .forbidden && foreign.headers[.location] == nil)
            let doctype = try await browser.get(try logoutRequest(h, from: "fse", id: "_x3", nameID: fse.nameID, sessionIndex: fse.sessionIndex,
                                                                  prefix: #"<!DOCTYPE r [<!ENTITY e "e">]>"#))
            #expect(doctype.status == .badRequest && doctype.headers[.location] == nil)
            // stale: answered with Requester
            let stale = try await browser.get(try logoutRequest(h, from: "fse", id: "_x4", nameID: fse.nameID, sessionIndex: fse.sessionIndex,
                                                                instant: h.clock.now().addingTimeInterval(-3600)))
            #expect(try status(stale.headers[.location]) == requester)
            // NameID or SessionIndex not those of this browser's session
            let otherName = try await browser.get(try logoutRequest(h, from: "fse", id: "_x5", nameID: "_someone-else", sessionIndex: fse.sessionIndex))
            #expect(try status(otherName.headers[.location]) == unknownPrincipal)
            let otherIndex = try await browser.get(try logoutRequest(h, from: "fse", id: "_x6", nameID: fse.nameID, sessionIndex: "_other"))
            #expect(try status(otherIndex.headers[.location]) == unknownPrincipal)
            // a service never reached in this session
            let never = try await browser.get(try logoutRequest(h, from: "bandi", id: "_x7", nameID: fse.nameID, sessionIndex: fse.sessionIndex))
            #expect(try status(never.headers[.location]) == unknownPrincipal)
            // a LogoutResponse to no request Varco sent
            let unsolicited = try await browser.get(try logoutResponseURI(h, from: "fse", inResponseTo: "_never-sent"))
            #expect(unsolicited.status == .badRequest)
            #expect(try await live(h, sessionID))
            // a good request works once; its replay is refused
            let good = try logoutRequest(h, from: "fse", id: "_x8", nameID: fse.nameID, sessionIndex: fse.sessionIndex)
            #expect(try await browser.get(good).headers[.location] == "/logout/progress")
            #expect(try await !live(h, sessionID))
            let replayed = try await browser.get(good)
            #expect(replayed.status == .badRequest && replayed.headers[.location] == nil)
        }
        let refused = try await h.stores.audit.recent(limit: 100).filter { $0.kind == .requestRejected }.map(\.detail)
        for expected in ["missingSignature", "badSignature", "malformedMessage", "IssueInstant outside", "NameID and SessionIndex are not",
                         "unsolicitedResponse", "replayedRequest"] {
            #expect(refused.contains { $0.contains(expected) }, "audited: \(expected)")
        }
    }

    @Test func theJanitorEndsSessionsNobodyCameBackToAndTellsTheirBackChannelClients() async throws {
        let h = try await ServerHarness.make()
        try await OIDCLogoutAndAdminTests().register(h)
        try await h.run { browser in
            _ = try await LoginFlowTests().login(h, browser, id: "_j1")
            _ = try await browser.get(OIDCFlowTests().authorizeURI("&prompt=none"))
            let sessionID = try #require(browser.cookies["varco_session"])
            h.clock.advance(by: 31 * 60)
            let janitor = StoreJanitor(stores: h.stores, policy: h.varco.configuration.sessionPolicy, clock: h.clock,
                                       logger: ServerHarness.quietLogger, expiry: h.varco.logout)
            await janitor.sweep()
            let ended = try #require(try await h.stores.sessions.find(id: sessionID)?.logout)
            #expect(ended.initiator == .expiry && ended.steps.first { $0.relyingParty == "rp" }?.outcome == .failed)
            let audit = try await h.stores.audit.recent(limit: 50).map(\.detail)
            #expect(audit.contains { $0.contains("back-channel logout to http://127.0.0.1:9/backchannel failed") })
            // Once told, the ended record goes with the next sweep after its own idle time.
            h.clock.advance(by: 31 * 60)
            await janitor.sweep()
            #expect(try await h.stores.sessions.find(id: sessionID) == nil)
        }
    }

    @Test func oidcFrontChannelClientsAreFramedOnTheResultPage() async throws {
        let h = try await ServerHarness.make()
        var registration = ClientRegistration(clientID: "rp", clientName: "Comune", redirectURIs: [OIDCFlowTests.redirect],
                                              tokenEndpointAuthMethod: .clientSecretBasic,
                                              clientSecretSHA256: ClientRegistration.hashSecret(OIDCFlowTests.secret))
        registration.frontchannelLogoutURI = "https://rp.test/fcl"
        try await h.stores.relyingParties.save(RelyingParty(id: "rp", kind: .oidcClient, displayName: "Comune", metadata: registration.json,
                                                            created: h.clock.now()))
        try await h.run { browser in
            _ = try await LoginFlowTests().login(h, browser, id: "_c1")
            _ = try await browser.get(OIDCFlowTests().authorizeURI("&prompt=none"))
            let sessionID = try #require(browser.cookies["varco_session"])
            let sid = try #require(try await h.stores.sessions.find(id: sessionID)?.services.first { $0.relyingParty == "rp" }?.sessionIndex)
            let ask = try await browser.get("/logout")
            _ = try await browser.post("/logout", form: [("csrf", try #require(Browser.hidden("csrf", in: ask)))])
            let result = try await browser.get("/logout/progress")
            let page = String(buffer: result.body)
            #expect(page.contains(#"src="https://rp.test/fcl?iss=https%3A%2F%2Fidp.test&amp;sid=\#(sid)""#))
            #expect(page.contains("Comune") && page.contains("disconnesso"))
            #expect(result.headers[.contentSecurityPolicy]?.contains("frame-src 'self' https://rp.test") == true)
            #expect(try await h.stores.sessions.find(id: sessionID)?.logout?.steps.first { $0.relyingParty == "rp" }?.outcome == .notified)
        }
    }

    /// What the SPID branch will plug in: a session that came through an upstream provider has one more step.
    struct FakeUpstream: UpstreamLogout {
        func step(for session: SSOSession) async -> LogoutStep? {
            LogoutStep(kind: .upstream, relyingParty: "https://spid-idp.test", displayName: "SPID", nameID: "_upstream",
                       nameIDFormat: NameIDFormat.transient, sessionIndex: "_upstream-session")
        }
        func logoutAnswer(for session: SSOSession, step: LogoutStep) async throws -> ProtocolAnswer {
            .redirect("https://spid-idp.test/slo?SAMLRequest=upstream")
        }
    }

    @Test func theUpstreamProviderIsToldLastThroughTheHook() async throws {
        let h = try await ServerHarness.make(upstreamLogout: FakeUpstream())
        try await withLogoutEndpoints(h)
        try await h.run { browser in
            let (fse, _) = try await loginAtBoth(h, browser)
            let sessionID = try #require(browser.cookies["varco_session"])
            _ = try await browser.get(try logoutRequest(h, from: "fse", id: "_u1", nameID: fse.nameID, sessionIndex: fse.sessionIndex))
            let steps = try #require(try await h.stores.sessions.find(id: sessionID)?.logout?.steps)
            #expect(steps.map(\.kind) == [.saml, .upstream])
            let request = try LogoutRequest(try received(h, try #require(try await browser.get("/logout/frame/0").headers[.location]),
                                                         parameter: "SAMLRequest").xml.root)
            _ = try await browser.get(try logoutResponseURI(h, from: "bandi", inResponseTo: request.id))
            // Every service told: now the browser goes to the upstream provider.
            let upstream = try await browser.get("/logout/progress")
            #expect(upstream.status == .seeOther && upstream.headers[.location] == "https://spid-idp.test/slo?SAMLRequest=upstream")
            // The upstream answer (handled by the SPID side) finishes the step and comes back to the progress page.
            let ended = try #require(try await h.stores.sessions.find(id: sessionID))
            try await h.varco.logout.finish(upstreamOf: ended, outcome: .loggedOut)
            let result = try await browser.get("/logout/progress")
            let page = String(buffer: result.body)
            #expect(page.contains("SPID") && !page.contains("non ha risposto"))
            let back = try #require(Browser.link(id: "logout-return", in: result))
            #expect(try LogoutResponse(try received(h, back, parameter: "SAMLResponse").xml.root).subStatus == nil)
        }
    }

    @Test func metadataPublishesBothSingleLogoutBindings() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let metadata = String(buffer: try await browser.get("/metadata").body)
            #expect(metadata.contains(#"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.test/slo"/>"#))
            #expect(metadata.contains(#"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.test/slo"/>"#))
        }
    }

    @Test func anExpiredSessionTellsTheBackChannelClients() async throws {
        let h = try await ServerHarness.make()
        try await OIDCLogoutAndAdminTests().register(h)
        try await h.run { browser in
            _ = try await LoginFlowTests().login(h, browser, id: "_e1")
            _ = try await browser.get(OIDCFlowTests().authorizeURI("&prompt=none"))
            let sessionID = try #require(browser.cookies["varco_session"])
            h.clock.advance(by: 31 * 60)
            let again = try await browser.get(try h.ssoURI("fse", id: "_e2"))
            #expect(again.headers[.location]?.hasPrefix("/login/") == true)
            let ended = try #require(try await h.stores.sessions.find(id: sessionID)?.logout)
            #expect(ended.initiator == .expiry)
            #expect(ended.steps.first { $0.relyingParty == "rp" }?.outcome == .failed)
        }
        let audit = try await h.stores.audit.recent(limit: 50).map(\.detail)
        #expect(audit.contains { $0.contains("back-channel logout to http://127.0.0.1:9/backchannel failed") })
        #expect(audit.contains { $0.hasPrefix("single logout started by session expiry") })
    }
}

extension Browser {
    /// The `href` of the link with this id, entities decoded.
    static func link(id: String, in response: TestResponse) -> String? {
        let html = String(buffer: response.body)
        guard let tag = html.range(of: #"id="\#(id)" href=""#) else { return nil }
        let rest = html[tag.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&amp;", with: "&")
            .replacingOccurrences(of: "&#x2B;", with: "+").replacingOccurrences(of: "&#x3D;", with: "=").replacingOccurrences(of: "&#x2F;", with: "/")
            .replacingOccurrences(of: "&#43;", with: "+").replacingOccurrences(of: "&#61;", with: "=").replacingOccurrences(of: "&#39;", with: "'") }
    }
}
