import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoSAML
@testable import VarcoServer

/// Drives whole SAML logins through the real router, as a browser would.
func samlResponse(_ response: TestResponse) throws -> String {
    let encoded = try #require(Browser.hidden("SAMLResponse", in: response))
    return String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self)
}

@Suite struct LoginFlowTests {
    /// Starts a login at `sp`, expects the method page, signs in with the authenticator app.
    func login(_ h: ServerHarness, _ browser: Browser, sp: String = "fse", id: String, code: String? = nil,
               forceAuthn: Bool = false) async throws -> TestResponse {
        let start = try await browser.get(try h.ssoURI(sp, id: id, forceAuthn: forceAuthn))
        #expect(start.status == .seeOther)
        let location = try #require(start.headers[.location])
        #expect(location.hasPrefix("/login/"))
        let form = try await browser.get(location + "/otp-app")
        #expect(form.status == .ok)
        let csrf = try #require(Browser.hidden("csrf", in: form))
        return try await browser.post(location + "/otp-app", form: [
            ("csrf", csrf), ("otp_id", ServerHarness.otpID), ("password", ServerHarness.password), ("code", code ?? h.code()),
        ])
    }

    func assertion(_ h: ServerHarness, _ response: TestResponse, sp: String = "fse", id: String) throws -> ResponseValidator.Login {
        let encoded = try #require(Browser.hidden("SAMLResponse", in: response))
        let xml = try #require(Data(base64Encoded: encoded))
        return try h.validator(sp).validate(Array(xml), inResponseTo: id, now: h.clock.now())
    }

    @Test func citizenSignsInAndTheServiceGetsASignedAssertion() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let answer = try await login(h, browser, id: "_a1")
            #expect(answer.status == .ok)
            #expect(Browser.hidden("RelayState", in: answer) == "rs-fse")
            let login = try assertion(h, answer, id: "_a1")
            #expect(login.attributes["fiscalNumber"] == "TINIT-RSSMRA80A01H501U")
            #expect(login.attributes["familyName"] == "Rossi")
            #expect(login.authnContextClassRef == LevelOfAssurance.spidL2.uri)
            let session = try #require(browser.lastSetCookies.first { $0.hasPrefix("varco_session=") })
            #expect(session.contains("Secure") && session.contains("HttpOnly") && session.contains("SameSite=None"))
        }
        let audit = try await h.stores.audit.recent(limit: 10).map(\.kind)
        #expect(audit.contains(.loginSucceeded) && audit.contains(.assertionIssued))
    }

    @Test func secondServiceGetsTheCitizenWithoutLogin() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            _ = try await login(h, browser, id: "_b1")
            let second = try await browser.get(try h.ssoURI("bandi", id: "_b2"))
            #expect(second.status == .ok)
            let login = try assertion(h, second, sp: "bandi", id: "_b2")
            #expect(login.attributes["fiscalNumber"] == "TINIT-RSSMRA80A01H501U")
            let sessionID = try #require(browser.cookies["varco_session"])
            let session = try #require(try await h.stores.sessions.find(id: sessionID))
            #expect(Set(session.services.map(\.relyingParty)) == [h.entityID("fse"), h.entityID("bandi")])
        }
    }

    @Test func forceAuthnAsksAgainAndRenewsTheSessionID() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            _ = try await login(h, browser, id: "_c1")
            let first = try #require(browser.cookies["varco_session"])
            let again = try await login(h, browser, sp: "bandi", id: "_c2", code: h.code(stepOffset: 1), forceAuthn: true)
            #expect(try assertion(h, again, sp: "bandi", id: "_c2").nameID.isEmpty == false)
            let second = try #require(browser.cookies["varco_session"])
            #expect(first != second)
            #expect(try await h.stores.sessions.find(id: first) == nil)
        }
    }

    @Test func higherLevelThanTheSessionIsNotGrantedBySSO() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            _ = try await login(h, browser, id: "_d1")
            // No method reaches SpidL3 in this configuration: the service is told NoAuthnContext.
            let step = try await browser.get(try h.ssoURI("bandi", id: "_d2", level: .spidL3))
            #expect(step.status == .ok)
            let xml = try samlResponse(step)
            #expect(xml.contains(SAMLStatus.SecondLevel.noAuthnContext.rawValue))
        }
    }

    @Test func planted_session_cookie_is_replaced_after_login() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            browser.cookies["varco_session"] = "attacker-chosen-value"
            _ = try await login(h, browser, id: "_e1")
            #expect(browser.cookies["varco_session"] != "attacker-chosen-value")
        }
    }

    @Test func usedTOTPCodeIsRefusedTheSecondTime() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            _ = try await login(h, browser, id: "_f1")
            let other = Browser(client: browser.client)
            let replay = try await login(h, other, id: "_f2", code: h.code())
            #expect(replay.status == .unprocessableContent)
            #expect(String(buffer: replay.body).contains("non corretti"))
        }
    }

    @Test func wrongPasswordsLockAndEndTheLoginWithAuthnFailed() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let start = try await browser.get(try h.ssoURI("fse", id: "_g1"))
            let location = try #require(start.headers[.location])
            let form = try await browser.get(location + "/otp-app")
            let csrf = try #require(Browser.hidden("csrf", in: form))
            var last: TestResponse?
            for attempt in 1...3 {
                last = try await browser.post(location + "/otp-app", form: [
                    ("csrf", csrf), ("otp_id", ServerHarness.otpID), ("password", "wrong-\(attempt)"), ("code", h.code()),
                ])
                if attempt < 3 { #expect(last?.status == .unprocessableContent) }
            }
            let answer = try #require(last)
            let xml = try samlResponse(answer)
            #expect(xml.contains(SAMLStatus.SecondLevel.authnFailed.rawValue))
            #expect(browser.cookies["varco_session"] == nil)
        }
        let failures = try await h.stores.audit.recent(limit: 20).filter { $0.kind == .loginFailed }
        #expect(failures.count == 3)
        #expect(try await h.stores.otpCredentials.find(id: ServerHarness.otpID)?.failedAttempts == 3)
    }

    @Test func formWithoutTheCSRFTokenIsRefused() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let start = try await browser.get(try h.ssoURI("fse", id: "_h1"))
            let location = try #require(start.headers[.location])
            _ = try await browser.get(location + "/otp-app")
            let forged = try await browser.post(location + "/otp-app", form: [
                ("otp_id", ServerHarness.otpID), ("password", ServerHarness.password), ("code", h.code()),
            ])
            #expect(forged.status == .forbidden)
            #expect(browser.cookies["varco_session"] == nil)
        }
    }

    @Test func loginStartedInAnotherBrowserCannotBeContinued() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let start = try await browser.get(try h.ssoURI("fse", id: "_i1"))
            let location = try #require(start.headers[.location])
            let stranger = Browser(client: browser.client)
            #expect(try await stranger.get(location).status == .forbidden)
            #expect(try await stranger.get(location + "/otp-app").status == .forbidden)
        }
    }

    @Test func cancelAnswersTheServiceWithAuthnFailed() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let start = try await browser.get(try h.ssoURI("fse", id: "_j1"))
            let location = try #require(start.headers[.location])
            let page = try await browser.get(location)
            #expect(String(buffer: page.body).contains("Credenziali OTP con app"))
            let csrf = try #require(Browser.hidden("csrf", in: page))
            let answer = try await browser.post(location + "/cancel", form: [("csrf", csrf)])
            let xml = try samlResponse(answer)
            #expect(xml.contains(SAMLStatus.SecondLevel.authnFailed.rawValue))
            // The finished login cannot be reused.
            #expect(try await browser.get(location).status == .notFound)
        }
    }
}
