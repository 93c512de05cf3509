import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoOTP
@testable import VarcoServer

/// SMS codes: expiry, single use, attempts, resend throttling; and the operator API.
@Suite struct OTPCodeTests {
    static func activeCredential(_ varco: Varco, _ h: ServerHarness) async throws {
        _ = try await OTPLifecycleFlowTests.issueMinor(varco)
        let hash = try PasswordHasher(parameters: .fastForTests).hash(OTPLifecycleFlowTests.newPassword)
        try await h.stores.otpCredentials.update(id: OTPLifecycleFlowTests.id) { $0.status = .active; $0.passwordHash = hash }
    }

    static func code(_ h: ServerHarness) async throws -> String {
        try await OTPLifecycleFlowTests.lastSMS(h, after: "usa e getta è", length: 8)
    }

    @Test func codeIsSingleUseAndExpiresAfterThreeMinutes() async throws {
        let (h, varco) = try await OTPLifecycleFlowTests.harness()
        try await Self.activeCredential(varco, h)
        _ = try await varco.otp.startLogin(id: OTPLifecycleFlowTests.id, password: OTPLifecycleFlowTests.newPassword, flowID: "f1", client: nil)
        let code = try await Self.code(h)
        let stored = try #require(try await h.stores.otp.challenges.find(id: "f1"))
        #expect(stored.codeHash == SHA256Hex.of(code) && stored.codeHash != code)
        _ = try await varco.otp.finishLogin(flowID: "f1", code: code, client: nil)
        await #expect(throws: RegionalOTP.Refusal.codeExpired) { _ = try await varco.otp.finishLogin(flowID: "f1", code: code, client: nil) }

        _ = try await varco.otp.startLogin(id: OTPLifecycleFlowTests.id, password: OTPLifecycleFlowTests.newPassword, flowID: "f2", client: nil)
        let late = try await Self.code(h)
        h.clock.advance(by: 181)
        await #expect(throws: RegionalOTP.Refusal.codeExpired) { _ = try await varco.otp.finishLogin(flowID: "f2", code: late, client: nil) }
    }

    @Test func threeWrongCodesKillTheCode() async throws {
        let (h, varco) = try await OTPLifecycleFlowTests.harness()
        try await Self.activeCredential(varco, h)
        _ = try await varco.otp.startLogin(id: OTPLifecycleFlowTests.id, password: OTPLifecycleFlowTests.newPassword, flowID: "f3", client: nil)
        let code = try await Self.code(h)
        await #expect(throws: RegionalOTP.Refusal.wrongCode(remaining: 2)) { _ = try await varco.otp.finishLogin(flowID: "f3", code: "1", client: nil) }
        await #expect(throws: RegionalOTP.Refusal.wrongCode(remaining: 1)) { _ = try await varco.otp.finishLogin(flowID: "f3", code: "2", client: nil) }
        await #expect(throws: RegionalOTP.Refusal.codeExpired) { _ = try await varco.otp.finishLogin(flowID: "f3", code: "3", client: nil) }
        await #expect(throws: RegionalOTP.Refusal.codeExpired) { _ = try await varco.otp.finishLogin(flowID: "f3", code: code, client: nil) }
    }

    @Test func resendIsThrottledAndCapped() async throws {
        let (h, varco) = try await OTPLifecycleFlowTests.harness()
        try await Self.activeCredential(varco, h)
        _ = try await varco.otp.startLogin(id: OTPLifecycleFlowTests.id, password: OTPLifecycleFlowTests.newPassword, flowID: "f4", client: nil)
        await #expect(throws: RegionalOTP.Refusal.resendTooSoon) { try await varco.otp.resend(flowID: "f4", client: nil) }
        h.clock.advance(by: 61)
        try await varco.otp.resend(flowID: "f4", client: nil)
        h.clock.advance(by: 61)
        try await varco.otp.resend(flowID: "f4", client: nil)
        h.clock.advance(by: 61)
        await #expect(throws: RegionalOTP.Refusal.resendTooSoon) { try await varco.otp.resend(flowID: "f4", client: nil) }
        let code = try await Self.code(h)
        _ = try await varco.otp.finishLogin(flowID: "f4", code: code, client: nil)
    }

    @Test func smsCapPerNumberStopsPumping() async throws {
        var policy = OTPPolicy()
        policy.smsPerNumberPerHour = 2
        let (h, varco) = try await OTPLifecycleFlowTests.harness(policy)
        try await Self.activeCredential(varco, h)  // the issuance SMS is the first
        _ = try await varco.otp.startLogin(id: OTPLifecycleFlowTests.id, password: OTPLifecycleFlowTests.newPassword, flowID: "f5", client: nil)
        await #expect(throws: RegionalOTP.Refusal.tooManyRequests) {
            _ = try await varco.otp.startLogin(id: OTPLifecycleFlowTests.id, password: OTPLifecycleFlowTests.newPassword, flowID: "f6", client: nil)
        }
        #expect(try await h.stores.audit.recent(limit: 30).contains { $0.kind == .otpRateLimited })
    }

    @Test func operatorAPIIssuesWithABearerTokenOnly() async throws {
        let (h, varco) = try await OTPLifecycleFlowTests.harness()
        let token = "test-operator-token"
        try await h.stores.otp.operators.insert(OTPOperator(name: "sportello-9", tokenHash: SHA256Hex.of(token), created: h.clock.now()))
        let body = #"{"codiceFiscale":"RSSLCU12E10F205G","cardNumber":"80380001100000123456","mobile":"+393471112233","birthDate":"2012-05-10","givenName":"Lucia","familyName":"Rossi","minor":true,"representativeCF":"RSSMRA80A01H501U","ward":false}"#
        let app = Application(router: try VarcoServer.router(for: varco))
        try await app.test(.router) { client in
            let anonymous = try await client.execute(uri: "/api/operator/otp-credentials", method: .post, body: ByteBuffer(string: body))
            #expect(anonymous.status == .unauthorized)
            let wrong = try await client.execute(uri: "/api/operator/otp-credentials", method: .post,
                                                 headers: [.authorization: "Bearer nope"], body: ByteBuffer(string: body))
            #expect(wrong.status == .unauthorized)
            let issued = try await client.execute(uri: "/api/operator/otp-credentials", method: .post,
                                                  headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(string: body))
            #expect(issued.status == .created)
            #expect(String(buffer: issued.body).contains(#""id":"0000123456""#))
            let again = try await client.execute(uri: "/api/operator/otp-credentials", method: .post,
                                                 headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(string: body))
            #expect(again.status == .unprocessableContent)
            #expect(String(buffer: again.body).contains("esistono già"))
        }
        #expect(try await h.stores.otpCredentials.find(id: "0000123456")?.issuedBy == "sportello-9")
    }
}
