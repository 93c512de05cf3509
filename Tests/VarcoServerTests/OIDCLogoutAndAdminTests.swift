import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoOIDC
@testable import VarcoServer

/// RP-initiated logout through the real router.
@Suite struct OIDCLogoutAndAdminTests {
    static let bye = "https://rp.test/bye"

    func register(_ h: ServerHarness) async throws {
        let registration = ClientRegistration(clientID: "rp", clientName: "RP", redirectURIs: [OIDCFlowTests.redirect],
                                              tokenEndpointAuthMethod: .clientSecretBasic,
                                              clientSecretSHA256: ClientRegistration.hashSecret(OIDCFlowTests.secret),
                                              postLogoutRedirectURIs: [Self.bye], backchannelLogoutURI: "http://127.0.0.1:9/backchannel")
        try await h.stores.relyingParties.save(RelyingParty(id: "rp", kind: .oidcClient, displayName: "RP", metadata: registration.json,
                                                            created: h.clock.now()))
    }

    @Test func logoutEndsTheSessionClearsTheCookieAndReturnsTheState() async throws {
        let h = try await ServerHarness.make()
        try await register(h)
        try await h.run { browser in
            _ = try await LoginFlowTests().login(h, browser, id: "_l1")
            let answer = try await browser.get(OIDCFlowTests().authorizeURI("&prompt=none"))
            #expect(try #require(answer.headers[.location]).hasPrefix(OIDCFlowTests.redirect + "?code="))
            let sessionID = try #require(browser.cookies["varco_session"])
            #expect(try await h.stores.sessions.find(id: sessionID) != nil)

            // without id_token_hint the citizen confirms first: a GET alone ends nothing
            let ask = try await browser.get("/oidc/logout?client_id=rp&post_logout_redirect_uri=\(URLEncodedForm.encode(Self.bye))&state=s1")
            #expect(ask.status == .ok)
            #expect(try await h.stores.sessions.find(id: sessionID) != nil)
            let confirm = try #require(Browser.hidden("confirm", in: ask))
            let forged = try await browser.post("/oidc/logout", form: [("client_id", "rp"), ("confirm", "forged")])
            #expect(forged.status == .ok)
            #expect(try await h.stores.sessions.find(id: sessionID) != nil)
            let logout = try await browser.post("/oidc/logout", form: [
                ("client_id", "rp"), ("post_logout_redirect_uri", Self.bye), ("state", "s1"), ("confirm", confirm),
            ])
            #expect(logout.status == .seeOther && logout.headers[.location] == Self.bye + "?state=s1")
            #expect(browser.cookies["varco_session"] == nil)
            #expect(try await h.stores.sessions.find(id: sessionID)?.isEnded != false)
            // a new authorization now needs a login
            let again = try await browser.get(OIDCFlowTests().authorizeURI("&prompt=none"))
            #expect(try #require(again.headers[.location]).contains("error=login_required"))
            // nothing listens at the client's back-channel URI: the failed delivery is audited, the logout went on anyway
            var audited = false
            for _ in 0..<100 where !audited {
                audited = try await h.stores.audit.recent(limit: 50).contains { $0.detail.contains("back-channel logout to http://127.0.0.1:9/backchannel failed") }
                if !audited { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(audited)
        }
    }

    @Test func unregisteredPostLogoutRedirectIsAPageNotARedirect() async throws {
        let h = try await ServerHarness.make()
        try await register(h)
        try await h.run { browser in
            let answer = try await browser.get("/oidc/logout?client_id=rp&post_logout_redirect_uri=https%3A%2F%2Fevil.test%2F")
            #expect(answer.status == .badRequest && answer.headers[.location] == nil)
            let plain = try await browser.get("/oidc/logout")
            #expect(plain.status == .ok)
            let discovery = String(buffer: try await browser.get("/.well-known/openid-configuration").body)
            #expect(discovery.contains(#""end_session_endpoint":"https://idp.test/oidc/logout""#) && discovery.contains(#""backchannel_logout_supported":true"#))
        }
    }
}
