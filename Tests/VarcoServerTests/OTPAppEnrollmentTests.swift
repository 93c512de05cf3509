import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VarcoCore
import VarcoOTP
@testable import VarcoServer

/// Authenticator-app enrollment (otpauth URI, QR code, first code, recovery codes), operator reset, the
/// profile page, card replacement, the janitor's SMS-code sweep.
@Suite struct OTPAppEnrollmentTests {
    typealias Flow = OTPLifecycleFlowTests
    static let token = "test-operator-token"

    /// An active credential with the known new password.
    static func active(_ varco: Varco, _ h: ServerHarness) async throws {
        try await OTPCodeTests.activeCredential(varco, h)
    }

    static func secret(of enrollment: AppEnrollment) throws -> TOTP {
        TOTP(secret: try Base32.decode(enrollment.secretBase32))
    }

    @Test func enrollmentNeedsTheFirstCodeThenOTPAppWorksAndRecoveryCodesWorkOnce() async throws {
        let (h, varco) = try await Flow.harness()
        try await Self.active(varco, h)
        let enrollment = try await varco.otp.startAppEnrollment(id: Flow.id)
        #expect(enrollment.uri == "otpauth://totp/Varco:\(Flow.id)?secret=\(enrollment.secretBase32)&issuer=Varco&algorithm=SHA1&digits=6&period=30")
        #expect(try Base32.decode(enrollment.secretBase32).count == 20)
        // Not usable before the first code.
        let totp = try Self.secret(of: enrollment)
        await #expect(throws: AuthnFailure.disabled) {
            _ = try await varco.otpApp.authenticate(id: Flow.id, password: Flow.newPassword, code: totp.code(at: h.clock.now()))
        }
        await #expect(throws: RegionalOTP.Refusal.wrongCode(remaining: 1)) {
            _ = try await varco.otp.confirmAppEnrollment(id: Flow.id, code: totp.code(at: h.clock.now().addingTimeInterval(600)), client: nil)
        }
        let codes = try await varco.otp.confirmAppEnrollment(id: Flow.id, code: totp.code(at: h.clock.now()), client: nil)
        #expect(codes.count == 10 && Set(codes).count == 10)
        #expect(codes.allSatisfy { RecoveryCodes.looksLikeCode($0) })
        let stored = try #require(try await h.stores.otpCredentials.find(id: Flow.id))
        #expect(stored.totpSecret == (try Base32.decode(enrollment.secretBase32)) && stored.pendingTOTPSecret == nil)
        #expect(stored.recoveryCodeHashes == codes.map(RecoveryCodes.hash))
        #expect(!(stored.recoveryCodeHashes ?? []).contains { codes.contains($0) })

        // The confirmation code is used; the next step's code signs in.
        h.clock.advance(by: 30)
        let result = try await varco.otpApp.authenticate(id: Flow.id, password: Flow.newPassword, code: totp.code(at: h.clock.now()))
        #expect(result.method == .otpApp && result.level == .spidL2)

        // A recovery code instead of the app's code: once.
        let recovery = codes[3].uppercased()
        _ = try await varco.otpApp.authenticate(id: Flow.id, password: Flow.newPassword, code: recovery)
        await #expect(throws: AuthnFailure.invalidCredentials) {
            _ = try await varco.otpApp.authenticate(id: Flow.id, password: Flow.newPassword, code: recovery)
        }
        #expect(try await h.stores.otpCredentials.find(id: Flow.id)?.recoveryCodeHashes?.count == 9)
        // A recovery code with a wrong password does not open either.
        await #expect(throws: AuthnFailure.invalidCredentials) {
            _ = try await varco.otpApp.authenticate(id: Flow.id, password: "wrong-password", code: codes[4])
        }
        let kinds = try await h.stores.audit.recent(limit: 50).map(\.kind)
        #expect(kinds.contains(.otpAppEnrolled))
    }

    @Test func operatorResetRemovesTheAppByAPI() async throws {
        let (h, varco) = try await Flow.harness()
        try await Self.active(varco, h)
        let enrollment = try await varco.otp.startAppEnrollment(id: Flow.id)
        _ = try await varco.otp.confirmAppEnrollment(id: Flow.id, code: try Self.secret(of: enrollment).code(at: h.clock.now()), client: nil)
        try await h.stores.otp.operators.insert(OTPOperator(name: "sportello-9", tokenHash: SHA256Hex.of(Self.token), created: h.clock.now()))
        let app = Application(router: try VarcoServer.router(for: varco))
        try await app.test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/operator/otp-credentials/\(Flow.id)/reset-app", method: .post)
            #expect(anonymous.status == .unauthorized)
            let unknown = try await client.execute(uri: "/api/operator/otp-credentials/0000000001/reset-app", method: .post,
                                                   headers: [.authorization: "Bearer \(Self.token)"])
            #expect(unknown.status == .notFound)
            let reset = try await client.execute(uri: "/api/operator/otp-credentials/\(Flow.id)/reset-app", method: .post,
                                                 headers: [.authorization: "Bearer \(Self.token)"])
            #expect(reset.status == .ok)
        }
        let stored = try #require(try await h.stores.otpCredentials.find(id: Flow.id))
        #expect(stored.totpSecret == nil && stored.recoveryCodeHashes == nil && stored.status == .active)
        h.clock.advance(by: 30)
        await #expect(throws: AuthnFailure.disabled) {
            _ = try await varco.otpApp.authenticate(id: Flow.id, password: Flow.newPassword,
                                                    code: try Self.secret(of: enrollment).code(at: h.clock.now()))
        }
        #expect(try await h.stores.audit.recent(limit: 20).contains { $0.kind == .otpAppRemoved && $0.detail.contains("sportello-9") })
    }

    /// First access in `browser` through a SAML login: leaves the SSO session cookie in the browser.
    static func firstAccess(_ h: ServerHarness, _ browser: Browser, _ varco: Varco) async throws {
        let issued = try await Flow.issueMinor(varco)
        let smsHalf = try await Flow.lastSMS(h, after: "password temporanea sono", length: 5)
        let (login, csrf) = try await Flow.start(h, browser, id: "_p1")
        _ = try await browser.post(login + "/otp-sms/first-access", form: [
            ("csrf", csrf), ("otp_id", Flow.id), ("temporary_password", issued.paperHalf + smsHalf)])
        _ = try await browser.post(login + "/otp-sms/first-access/password", form: [
            ("csrf", csrf), ("new_password", Flow.newPassword), ("confirm_password", Flow.newPassword)])
        let code = try await Flow.lastSMS(h, after: "nuova password è", length: 8)
        let answer = try await browser.post(login + "/otp-sms/first-access/code", form: [("csrf", csrf), ("code", code)])
        #expect(Browser.hidden("SAMLResponse", in: answer) != nil)
        #expect(browser.cookies[CookieNames.session] != nil)
    }

    @Test func profilePageEnrollsTheAppChangesThePasswordAndDeactivates() async throws {
        let (h, varco) = try await Flow.harness()
        try await Flow.run(varco) { browser in
            #expect(String(buffer: try await browser.get("/").body).contains(#"<a href="/profilo">"#))
            let anonymous = try await browser.get("/profilo")
            #expect(anonymous.status == .ok)
            #expect(String(buffer: anonymous.body).contains("devi prima accedere"))
            let refused = try await browser.post("/profilo/app", form: [("csrf", "x"), ("otp_id", Flow.id)])
            #expect(refused.status == .unauthorized)

            try await Self.firstAccess(h, browser, varco)
            h.clock.advance(by: 60)
            let profile = try await browser.get("/profilo")
            let html = String(buffer: profile.body)
            #expect(profile.status == .ok)
            #expect(html.contains("Ultimo accesso") && html.contains("Lucia Rossi") && html.contains("Primo accesso completato"))
            let csrf = try #require(Browser.hidden("csrf", in: profile))

            // Every form needs the session's CSRF token, and the citizen's own credential.
            let forged = try await browser.post("/profilo/app", form: [("csrf", "forged"), ("otp_id", Flow.id)])
            #expect(forged.status == .forbidden)
            let other = try await browser.post("/profilo/app", form: [("csrf", csrf), ("otp_id", ServerHarness.otpID)])
            #expect(other.status == .forbidden)

            // Enrollment: QR code inline, secret by hand, then the first code and the recovery codes.
            let started = try await browser.post("/profilo/app", form: [("csrf", csrf), ("otp_id", Flow.id)])
            let page = String(buffer: started.body)
            #expect(page.contains(#"<img id="qr" src="data:image/svg+xml;base64,"#))
            let pending = try #require(try await h.stores.otpCredentials.find(id: Flow.id)?.pendingTOTPSecret)
            let totp = TOTP(secret: pending)
            let wrong = try await browser.post("/profilo/app/confirm", form: [("csrf", csrf), ("otp_id", Flow.id), ("code", "12")])
            #expect(wrong.status == .unprocessableContent && String(buffer: wrong.body).contains("data:image/svg+xml;base64,"))
            let confirmed = try await browser.post("/profilo/app/confirm", form: [("csrf", csrf), ("otp_id", Flow.id),
                                                                               ("code", totp.code(at: h.clock.now()))])
            let codesPage = String(buffer: confirmed.body)
            #expect(confirmed.status == .ok && codesPage.contains("Codici di recupero"))
            let hashes = try #require(try await h.stores.otpCredentials.find(id: Flow.id)?.recoveryCodeHashes)
            #expect(hashes.count == 10)
            // Shown once: the next visit lists how many are left, not the codes.
            let again = String(buffer: try await browser.get("/profilo").body)
            #expect(!again.contains("Codici di recupero") && again.contains("codici di recupero rimasti: 10"))

            // Change password, under the policy.
            let weak = try await browser.post("/profilo/password", form: [("csrf", csrf), ("otp_id", Flow.id),
                ("current_password", Flow.newPassword), ("new_password", "password123"), ("confirm_password", "password123")])
            #expect(weak.status == .unprocessableContent && String(buffer: weak.body).contains("troppo comune"))
            let badCurrent = try await browser.post("/profilo/password", form: [("csrf", csrf), ("otp_id", Flow.id),
                ("current_password", "Sbagliata-2026!"), ("new_password", "Altra-Password-77"), ("confirm_password", "Altra-Password-77")])
            #expect(badCurrent.status == .unprocessableContent)
            let changed = try await browser.post("/profilo/password", form: [("csrf", csrf), ("otp_id", Flow.id),
                ("current_password", Flow.newPassword), ("new_password", "Altra-Password-77"), ("confirm_password", "Altra-Password-77")])
            #expect(changed.status == .seeOther)
            h.clock.advance(by: 30)
            _ = try await varco.otpApp.authenticate(id: Flow.id, password: "Altra-Password-77", code: totp.code(at: h.clock.now()))

            // Remove the app, then deactivate: afterwards only SPID, CIE and CNS.
            let removed = try await browser.post("/profilo/app/remove", form: [("csrf", csrf), ("otp_id", Flow.id)])
            #expect(removed.status == .seeOther)
            #expect(try await h.stores.otpCredentials.find(id: Flow.id)?.totpSecret == nil)
            let unconfirmed = try await browser.post("/profilo/deactivate", form: [("csrf", csrf), ("otp_id", Flow.id)])
            #expect(unconfirmed.status == .unprocessableContent)
            let deactivated = try await browser.post("/profilo/deactivate", form: [("csrf", csrf), ("otp_id", Flow.id), ("confirm", "1")])
            #expect(deactivated.status == .seeOther)
            let after = String(buffer: try await browser.get("/profilo").body)
            #expect(after.contains("solo con SPID, CIE o CNS"))
        }
        await #expect(throws: RegionalOTP.Refusal.disabled) {
            _ = try await varco.otp.startLogin(id: Flow.id, password: "Altra-Password-77", flowID: "after", client: nil)
        }
    }

    @Test func cardReplacementKeepsBothIDsUntilTheFirstLoginWithTheNewOne() async throws {
        let (h, varco) = try await Flow.harness()
        try await Self.active(varco, h)
        try await h.stores.otp.operators.insert(OTPOperator(name: "sportello-9", tokenHash: SHA256Hex.of(Self.token), created: h.clock.now()))
        let newCard = "80380001100000654321"
        let newID = "0000654321"
        let app = Application(router: try VarcoServer.router(for: varco))
        try await app.test(.router) { client in
            let bad = try await client.execute(uri: "/api/operator/otp-credentials/\(Flow.id)/replace-card", method: .post,
                                               headers: [.authorization: "Bearer \(Self.token)"],
                                               body: ByteBuffer(string: #"{"newCardNumber":"123"}"#))
            #expect(bad.status == .unprocessableContent)
            let replaced = try await client.execute(uri: "/api/operator/otp-credentials/\(Flow.id)/replace-card", method: .post,
                                                    headers: [.authorization: "Bearer \(Self.token)"],
                                                    body: ByteBuffer(string: #"{"newCardNumber":"\#(newCard)"}"#))
            #expect(replaced.status == .created)
            #expect(String(buffer: replaced.body).contains(newID))
        }
        // Both IDs work meanwhile.
        _ = try await varco.otp.startLogin(id: Flow.id, password: Flow.newPassword, flowID: "old1", client: nil)
        _ = try await varco.otp.finishLogin(flowID: "old1", code: try await OTPCodeTests.code(h), client: nil)
        h.clock.advance(by: 61)
        _ = try await varco.otp.startLogin(id: newID, password: Flow.newPassword, flowID: "new1", client: nil)
        // Until the code is entered, the old ID still works.
        #expect(try await h.stores.otpCredentials.find(id: Flow.id)?.status == .active)
        _ = try await varco.otp.finishLogin(flowID: "new1", code: try await OTPCodeTests.code(h), client: nil)
        // The first login with the new ID retired the old one.
        await #expect(throws: RegionalOTP.Refusal.disabled) {
            _ = try await varco.otp.startLogin(id: Flow.id, password: Flow.newPassword, flowID: "old2", client: nil)
        }
        let stored = try #require(try await h.stores.otpCredentials.find(id: newID))
        #expect(stored.cardNumber == newCard && stored.replaces == nil && stored.status == .active)
        #expect(try await h.stores.otpCredentials.find(id: Flow.id)?.replacementCompleted != nil)
        #expect(try await h.stores.audit.recent(limit: 50).filter { $0.kind == .otpCardReplaced }.count == 2)
    }

    @Test func janitorRemovesExpiredSMSCodes() async throws {
        let (h, varco) = try await Flow.harness()
        try await Self.active(varco, h)
        _ = try await varco.otp.startLogin(id: Flow.id, password: Flow.newPassword, flowID: "sweep", client: nil)
        let janitor = StoreJanitor(stores: h.stores, policy: SessionPolicy(), clock: h.clock, logger: Logger(label: "test"))
        await janitor.sweep()
        #expect(try await h.stores.otp.challenges.find(id: "sweep") != nil)
        h.clock.advance(by: 181)
        await janitor.sweep()
        #expect(try await h.stores.otp.challenges.find(id: "sweep") == nil)
    }
}
