import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VarcoCore
import VarcoOTP
import VarcoSAML
@testable import VarcoServer

/// Regional OTP credentials end to end: counter issuance, first access, SMS login, forgotten password, lockout.
@Suite struct OTPLifecycleFlowTests {
    static let minorCF = "RSSLCU12E10F205G"
    static let card = "80380001100000123456"
    static let id = "0000123456"
    static let mobile = "+393471112233"
    static let newPassword = "Lucia-Nuova-2026"

    /// The standard harness with a Varco whose OTP policy is `policy` (same stores, keys and clock).
    static func harness(_ policy: OTPPolicy = OTPPolicy()) async throws -> (ServerHarness, Varco) {
        let h = try await ServerHarness.make()
        var configuration = h.varco.configuration
        configuration.otp.policy = policy
        let varco = try Varco(configuration: configuration, stores: h.stores, pages: h.varco.pages,
                              dataDirectory: try DataDirectory(path: configuration.dataDirectory), clock: h.clock,
                              logger: Logger(label: "test"))
        return (h, varco)
    }

    static func run(_ varco: Varco, _ test: @Sendable (Browser) async throws -> Void) async throws {
        let app = Application(router: try VarcoServer.router(for: varco))
        try await app.test(.router) { client in try await test(Browser(client: client)) }
    }

    static func issueMinor(_ varco: Varco) async throws -> IssuanceResult {
        try await varco.otp.issue(IssuanceRequest(codiceFiscale: minorCF, cardNumber: card, mobile: "347 111 2233",
                                                  birthDate: "2012-05-10", givenName: "Lucia", familyName: "Rossi", minor: true,
                                                  representativeCF: "RSSMRA80A01H501U"), by: "sportello-1")
    }

    /// The last SMS to `mobile` and the first run of `length` letters/digits after `marker` in it.
    static func lastSMS(_ h: ServerHarness, after marker: String, length: Int) async throws -> String {
        let message = try #require(try await h.stores.otp.outbox.recent(limit: 1).first)
        #expect(message.to == mobile)
        let rest = try #require(message.text.range(of: marker)).upperBound
        return String(message.text[rest...].drop { $0 == " " }.prefix(length))
    }

    static func start(_ h: ServerHarness, _ browser: Browser, id: String) async throws -> (String, String) {
        let start = try await browser.get(try h.ssoURI("fse", id: id))
        let location = try #require(start.headers[.location])
        let page = try await browser.get(location + "/otp-sms")
        #expect(page.status == .ok)
        return (location, try #require(Browser.hidden("csrf", in: page)))
    }

    @Test func issuanceFirstAccessAndSMSLoginEndInASpidL2Assertion() async throws {
        let (h, varco) = try await Self.harness()
        let issued = try await Self.issueMinor(varco)
        #expect(issued.id == Self.id && issued.paperHalf.count == 5 && issued.smsSent)
        let smsHalf = try await Self.lastSMS(h, after: "password temporanea sono", length: 5)
        #expect(try await h.stores.otpCredentials.find(id: Self.id)?.status == .pendingFirstAccess)

        try await Self.run(varco) { browser in
            let (login, csrf) = try await Self.start(h, browser, id: "_o1")
            // Ordinary login refused until the first access is done.
            let early = try await browser.post(login + "/otp-sms", form: [("csrf", csrf), ("otp_id", Self.id),
                                                                        ("password", issued.paperHalf + smsHalf)])
            #expect(early.status == .conflict)
            let first = try await browser.post(login + "/otp-sms/first-access", form: [
                ("csrf", csrf), ("otp_id", Self.id), ("temporary_password", issued.paperHalf + smsHalf)])
            #expect(first.status == .seeOther)
            let weak = try await browser.post(login + "/otp-sms/first-access/password", form: [
                ("csrf", csrf), ("new_password", "password123"), ("confirm_password", "password123")])
            #expect(weak.status == .unprocessableContent)
            #expect(String(buffer: weak.body).contains("troppo comune"))
            let chosen = try await browser.post(login + "/otp-sms/first-access/password", form: [
                ("csrf", csrf), ("new_password", Self.newPassword), ("confirm_password", Self.newPassword)])
            #expect(chosen.status == .seeOther)
            let code = try await Self.lastSMS(h, after: "nuova password è", length: 8)
            let answer = try await browser.post(login + "/otp-sms/first-access/code", form: [("csrf", csrf), ("code", code)])
            #expect(answer.status == .ok)
            let encoded = try #require(Browser.hidden("SAMLResponse", in: answer))
            let xml = try #require(Data(base64Encoded: encoded))
            let result = try h.validator("fse").validate(Array(xml), inResponseTo: "_o1", now: h.clock.now())
            #expect(result.attributes["fiscalNumber"] == "TINIT-\(Self.minorCF)")
            #expect(result.authnContextClassRef == LevelOfAssurance.spidL2.uri)
        }
        #expect(try await h.stores.otpCredentials.find(id: Self.id)?.status == .active)

        // A later login, in a new browser: ID + password, then the SMS code (single use).
        h.clock.advance(by: 60)
        try await Self.run(varco) { browser in
            let (login, csrf) = try await Self.start(h, browser, id: "_o2")
            let step = try await browser.post(login + "/otp-sms", form: [("csrf", csrf), ("otp_id", Self.id), ("password", Self.newPassword)])
            #expect(step.headers[.location] == login + "/otp-sms/code")
            let code = try await Self.lastSMS(h, after: "usa e getta è", length: 8)
            let wrong = try await browser.post(login + "/otp-sms/code", form: [("csrf", csrf), ("code", "00000000")])
            #expect(wrong.status == .unprocessableContent)
            #expect(String(buffer: wrong.body).contains("Tentativi rimasti: 2"))
            // A new code on request, after the resend interval; the page says it was sent.
            h.clock.advance(by: 61)
            let resent = try await browser.post(login + "/otp-sms/resend", form: [("csrf", csrf), ("flow", "login")])
            #expect(resent.headers[.location] == login + "/otp-sms/code?sent=1")
            let notice = try await browser.get(login + "/otp-sms/code?sent=1")
            #expect(String(buffer: notice.body).contains("ti abbiamo inviato un nuovo codice"))
            let fresh = try await Self.lastSMS(h, after: "usa e getta è", length: 8)
            if fresh != code {
                #expect(try await browser.post(login + "/otp-sms/code", form: [("csrf", csrf), ("code", code)]).status == .unprocessableContent)
            }
            let answer = try await browser.post(login + "/otp-sms/code", form: [("csrf", csrf), ("code", fresh)])
            let encoded = try #require(Browser.hidden("SAMLResponse", in: answer))
            let xml = try #require(Data(base64Encoded: encoded))
            let result = try h.validator("fse").validate(Array(xml), inResponseTo: "_o2", now: h.clock.now())
            #expect(result.authnContextClassRef == LevelOfAssurance.spidL2.uri)
        }
        let kinds = try await h.stores.audit.recent(limit: 50).map(\.kind)
        #expect(kinds.contains(.credentialIssued) && kinds.contains(.otpFirstAccess) && kinds.contains(.otpSMSSent))
        #expect(kinds.contains(.assertionIssued))
    }

    @Test func forgottenPasswordGivesHalfOnScreenHalfBySMS() async throws {
        let (h, varco) = try await Self.harness()
        _ = try await Self.issueMinor(varco)
        try await Self.run(varco) { browser in
            let (login, csrf) = try await Self.start(h, browser, id: "_r1")
            let before = try await h.stores.otp.outbox.recent(limit: 100).count
            // Wrong mobile: the same answer, but no SMS.
            let wrong = try await browser.post(login + "/otp-sms/recover", form: [
                ("csrf", csrf), ("otp_id", Self.id), ("cf", Self.minorCF), ("mobile", "+393470000000")])
            #expect(wrong.headers[.location] == login + "/otp-sms/recover/code")
            #expect(try await h.stores.otp.outbox.recent(limit: 100).count == before)
            let right = try await browser.post(login + "/otp-sms/recover", form: [
                ("csrf", csrf), ("otp_id", Self.id), ("cf", Self.minorCF.lowercased()), ("mobile", "+39 347 111 2233")])
            #expect(right.headers[.location] == wrong.headers[.location])
            let code = try await Self.lastSMS(h, after: "codice di verifica è", length: 8)
            let done = try await browser.post(login + "/otp-sms/recover/code", form: [("csrf", csrf), ("code", code)])
            #expect(done.status == .ok)
            let html = String(buffer: done.body)
            let marker = try #require(html.range(of: "<code>"))
            let firstHalf = String(html[marker.upperBound...].prefix(5))
            let secondHalf = try await Self.lastSMS(h, after: "password temporanea sono", length: 5)
            #expect(try await h.stores.otpCredentials.find(id: Self.id)?.status == .pendingFirstAccess)
            let first = try await browser.post(login + "/otp-sms/first-access", form: [
                ("csrf", csrf), ("otp_id", Self.id), ("temporary_password", firstHalf + secondHalf)])
            #expect(first.status == .seeOther)
        }
        let kinds = try await h.stores.audit.recent(limit: 50).map(\.kind)
        #expect(kinds.contains(.otpRecoveryRequested) && kinds.contains(.otpPasswordReset))
    }

    @Test func wrongPasswordsLockTheCredentialUntilAnOperatorUnlocks() async throws {
        var policy = OTPPolicy()
        policy.maxPasswordFailures = 2
        let (h, varco) = try await Self.harness(policy)
        _ = try await Self.issueMinor(varco)
        try await Self.run(varco) { browser in
            let (login, csrf) = try await Self.start(h, browser, id: "_l1")
            let first = try await browser.post(login + "/otp-sms/first-access", form: [
                ("csrf", csrf), ("otp_id", Self.id), ("temporary_password", "wrongwrong")])
            #expect(String(buffer: first.body).contains("ID o password non corretti"))
            let second = try await browser.post(login + "/otp-sms/first-access", form: [
                ("csrf", csrf), ("otp_id", Self.id), ("temporary_password", "wrongwrong")])
            #expect(String(buffer: second.body).contains("bloccate"))
        }
        #expect(try await h.stores.otpCredentials.find(id: Self.id)?.lockedUntil != nil)
        try await varco.otp.unlock(id: Self.id, by: "sportello-1")
        #expect(try await h.stores.otpCredentials.find(id: Self.id)?.lockedUntil == nil)
        let kinds = try await h.stores.audit.recent(limit: 50).map(\.kind)
        #expect(kinds.contains(.credentialLocked) && kinds.contains(.otpCredentialUnlocked))
    }

    @Test func issuanceRefusesBadDataAndAdultsAfterTheCutOff() async throws {
        let (h, varco) = try await Self.harness()
        do {
            _ = try await varco.otp.issue(IssuanceRequest(codiceFiscale: "RSSMRO62B25E205Y", cardNumber: "1234", mobile: "06123456",
                                                          birthDate: "1962-02-25", givenName: "Mario", familyName: "Rosso"), by: "op")
            Issue.record("issued with invalid data")
        } catch let refused as IssuanceRefused {
            #expect(refused.problems.contains { $0.contains("codice fiscale RSSMRO62B25E205Y non è valido") })
            #expect(refused.problems.contains { $0.contains("20 cifre") })
            #expect(refused.problems.contains { $0.contains("cellulare") })
        }
        do {
            _ = try await varco.otp.issue(IssuanceRequest(codiceFiscale: "VRDGNN90A01F205O", cardNumber: Self.card, mobile: Self.mobile,
                                                          birthDate: "1990-01-01", givenName: "Giovanni", familyName: "Verdi"), by: "op")
            Issue.record("issued to an adult after the cut-off")
        } catch let refused as IssuanceRefused {
            #expect(refused.problems.contains { $0.contains("solo a minori") })
        }
        // A request received before the cut-off is honoured.
        let honoured = try await varco.otp.issue(IssuanceRequest(codiceFiscale: "VRDGNN90A01F205O", cardNumber: Self.card, mobile: Self.mobile,
                                                                 birthDate: "1990-01-01", givenName: "Giovanni", familyName: "Verdi",
                                                                 requestReceived: "2021-02-27"), by: "op")
        #expect(honoured.id == Self.id)
        #expect(try await h.stores.audit.recent(limit: 20).contains { $0.kind == .otpIssuanceRefused })
    }
}
