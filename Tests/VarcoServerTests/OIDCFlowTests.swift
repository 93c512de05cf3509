import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoOIDC
@testable import VarcoServer

/// Whole OIDC logins through the real router, on the same login engine and SSO session as SAML.
@Suite struct OIDCFlowTests {
    static let secret = "flow-test-secret-0123456789-abcdefghijklmnop"
    static let redirect = "https://rp.test/cb"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    func register(_ h: ServerHarness) async throws {
        let registration = ClientRegistration(clientID: "rp", clientName: "RP", redirectURIs: [Self.redirect],
                                              tokenEndpointAuthMethod: .clientSecretBasic, clientSecretSHA256: ClientRegistration.hashSecret(Self.secret))
        try await h.stores.relyingParties.save(RelyingParty(id: "rp", kind: .oidcClient, displayName: "RP", metadata: registration.json,
                                                            created: h.clock.now()))
    }

    func authorizeURI(_ extra: String = "") -> String {
        "/oidc/authorize?client_id=rp&redirect_uri=\(URLEncodedForm.encode(Self.redirect))&response_type=code&scope=openid%20profile"
            + "&state=xyz&nonce=n1&code_challenge=\(Self.challenge)&code_challenge_method=S256\(extra)"
    }

    func parameters(_ location: String) throws -> URLEncodedForm {
        try URLEncodedForm(String(location.split(separator: "?", maxSplits: 1)[1]))
    }

    @Test func samlLoginThenOIDCWithPromptNoneNeedsNoLogin() async throws {
        let h = try await ServerHarness.make()
        try await register(h)
        try await h.run { browser in
            _ = try await LoginFlowTests().login(h, browser, id: "_o1")
            let answer = try await browser.get(authorizeURI("&prompt=none"))
            #expect(answer.status == .seeOther)
            let location = try #require(answer.headers[.location])
            #expect(location.hasPrefix(Self.redirect + "?code="))
            let query = try parameters(location)
            #expect(query["state"] == "xyz" && query["iss"] == "https://idp.test")
            let code = try #require(query["code"])

            let body = "grant_type=authorization_code&code=\(URLEncodedForm.encode(code))&redirect_uri=\(URLEncodedForm.encode(Self.redirect))&code_verifier=\(Self.verifier)"
            let basic = "Basic " + Data("rp:\(Self.secret)".utf8).base64EncodedString()
            let token = try await browser.client.execute(uri: "/oidc/token", method: .post,
                                                         headers: [.contentType: "application/x-www-form-urlencoded", .authorization: basic],
                                                         body: ByteBuffer(string: body))
            #expect(token.status == .ok)
            let tokens = try JSONDecoder().decode(TokenResponse.self, from: Data(String(buffer: token.body).utf8))
            let info = try await browser.client.execute(uri: "/oidc/userinfo", method: .get,
                                                        headers: [.authorization: "Bearer \(tokens.access_token)"], body: nil)
            #expect(String(buffer: info.body).contains("TINIT-RSSMRA80A01H501U"))
            let again = try await browser.client.execute(uri: "/oidc/token", method: .post,
                                                          headers: [.contentType: "application/x-www-form-urlencoded", .authorization: basic],
                                                          body: ByteBuffer(string: body))
            #expect(again.status == .badRequest)

            let sessionID = try #require(browser.cookies["varco_session"])
            let session = try #require(try await h.stores.sessions.find(id: sessionID))
            #expect(session.services.contains { $0.protocolName == "oidc" && $0.relyingParty == "rp" })
        }
    }

    @Test func promptNoneWithoutSessionIsLoginRequired() async throws {
        let h = try await ServerHarness.make()
        try await register(h)
        try await h.run { browser in
            let answer = try await browser.get(authorizeURI("&prompt=none"))
            let query = try parameters(try #require(answer.headers[.location]))
            #expect(query["error"] == "login_required" && query["state"] == "xyz")
        }
    }

    @Test func oidcLoginGoesThroughTheLoginPages() async throws {
        let h = try await ServerHarness.make()
        try await register(h)
        try await h.run { browser in
            let start = try await browser.get(authorizeURI())
            let location = try #require(start.headers[.location])
            #expect(location.hasPrefix("/login/"))
            let form = try await browser.get(location + "/otp-app")
            let csrf = try #require(Browser.hidden("csrf", in: form))
            let answer = try await browser.post(location + "/otp-app", form: [
                ("csrf", csrf), ("otp_id", ServerHarness.otpID), ("password", ServerHarness.password), ("code", h.code()),
            ])
            #expect(try #require(answer.headers[.location]).hasPrefix(Self.redirect + "?code="))
        }
    }

    @Test func acrAboveTheSessionLevelIsNotGrantedBySSO() async throws {
        let h = try await ServerHarness.make()
        try await register(h)
        try await h.run { browser in
            _ = try await LoginFlowTests().login(h, browser, id: "_o2")
            // The session is SpidL2; no method reaches SpidL3 here, so no code is issued from the session.
            let answer = try await browser.get(authorizeURI("&acr_values=\(URLEncodedForm.encode(LevelOfAssurance.spidL3.uri))"))
            let query = try parameters(try #require(answer.headers[.location]))
            #expect(query["code"] == nil && query["error"] == "unmet_authentication_requirements")
        }
    }

    @Test func unregisteredRedirectURIGetsAPageNotARedirect() async throws {
        let h = try await ServerHarness.make()
        try await register(h)
        try await h.run { browser in
            let answer = try await browser.get("/oidc/authorize?client_id=rp&redirect_uri=https%3A%2F%2Fevil.test%2Fcb&response_type=code&scope=openid")
            #expect(answer.status == .badRequest && answer.headers[.location] == nil)
            let discovery = try await browser.get("/.well-known/openid-configuration")
            #expect(String(buffer: discovery.body).contains(#""issuer":"https://idp.test""#))
            #expect(try await browser.get("/oidc/jwks").status == .ok)
        }
    }
}
