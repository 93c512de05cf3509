import Foundation
import Testing
import VarcoCore
@testable import VarcoOTP

@Suite struct OTPPolicyTests {
    static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    @Test func adultsGetNoNewCredentialsFromTheCutOffUnlessRequestedBefore() {
        let policy = OTPPolicy()
        #expect(policy.issuanceRefusal(holder: .adult, now: Self.date("2021-02-27T12:00:00Z")) == nil)
        #expect(policy.issuanceRefusal(holder: .adult, now: Self.date("2021-02-28T12:00:00Z")) != nil)
        #expect(policy.issuanceRefusal(holder: .minor, now: Self.date("2026-01-01T12:00:00Z")) == nil)
        #expect(policy.issuanceRefusal(holder: .ward, now: Self.date("2026-01-01T12:00:00Z")) == nil)
        #expect(policy.issuanceRefusal(holder: .adult, now: Self.date("2021-03-10T12:00:00Z"), requestReceived: "2021-02-27") == nil)
        #expect(OTPPolicy(issuanceCutoff: nil).issuanceRefusal(holder: .adult, now: Self.date("2026-01-01T12:00:00Z")) == nil)
    }

    @Test func usageDeadlineRefusesAdultsOnlyAfterTheLastDay() {
        let policy = OTPPolicy()
        var adult = OTPCredential(id: "0000000001", citizen: try! CodiceFiscale("RSSMRA80A01H501U"), passwordHash: "", created: Date())
        adult.birthDate = "1980-01-01"
        // 30 September 2021, 23:30 in Rome is still allowed; 1 October is not.
        #expect(!policy.loginRefused(adult, now: Self.date("2021-09-30T21:30:00Z")))
        #expect(policy.loginRefused(adult, now: Self.date("2021-09-30T22:30:00Z")))
        var minor = adult
        minor.birthDate = "2012-05-10"
        #expect(!policy.loginRefused(minor, now: Self.date("2026-01-01T12:00:00Z")))
        var ward = adult
        ward.holder = .ward
        #expect(!policy.loginRefused(ward, now: Self.date("2026-01-01T12:00:00Z")))
        #expect(!OTPPolicy(usageDeadline: nil).loginRefused(adult, now: Self.date("2026-01-01T12:00:00Z")))
    }

    @Test func daysAndAges() {
        #expect(OTPPolicy.isDay("2024-02-29") && !OTPPolicy.isDay("2023-02-29") && !OTPPolicy.isDay("2024-13-01") && !OTPPolicy.isDay("24-1-1"))
        #expect(OTPPolicy.isMinor(birthDate: "2008-06-01", today: "2026-05-31"))
        #expect(!OTPPolicy.isMinor(birthDate: "2008-06-01", today: "2026-06-01"))
    }

    @Test func passwordPolicy() {
        let policy = PasswordPolicy()
        let hasher = PasswordHasher(parameters: .fastForTests)
        func check(_ password: String, confirm: String? = nil, history: [String] = []) -> [PasswordPolicy.Violation] {
            policy.violations(password, confirmation: confirm ?? password, identifiers: ["0000123456", "RSSLCU12E10F205G"],
                              previousHashes: history, hasher: hasher)
        }
        #expect(check("Lucia-Nuova-2026").isEmpty)
        #expect(check("Ab1-short").contains(.tooShort))
        #expect(check("alllowercaseletters").contains(.tooFewClasses))
        #expect(check("Xx-0000123456").contains(.containsIdentifier))
        #expect(check("xx-rsslcu12e10f205g").contains(.containsIdentifier))
        #expect(check("Password123!").contains(.tooCommon))
        #expect(check("Lucia-Nuova-2026", confirm: "Lucia-Nuova-2025") == [.mismatch])
        let old = try! hasher.hash("Lucia-Vecchia-2020")
        #expect(check("Lucia-Vecchia-2020", history: [old]) == [.recentlyUsed])
    }

    @Test func mobileNumbersAndTemporaryPasswords() {
        #expect(RegionalOTP.normalizedMobile("347 111 2233") == "+393471112233")
        #expect(RegionalOTP.normalizedMobile("0039 347-111-2233") == "+393471112233")
        #expect(RegionalOTP.isItalianMobile("+393471112233"))
        #expect(!RegionalOTP.isItalianMobile("+39061234567"))
        #expect(!RegionalOTP.isItalianMobile("06123456"))
        let temporary = RegionalOTP.temporaryPassword(SystemRandomSource())
        #expect(temporary.count == 10 && temporary.allSatisfy { RegionalOTP.temporaryAlphabet.contains($0) })
    }
}

@Suite struct WebhookSMSGatewayTests {
    actor Outbox: SMSOutboxStore {
        var messages: [SMSMessage] = []
        func append(_ message: SMSMessage) { messages.append(message) }
        func update(id: String, _ change: @Sendable (inout SMSMessage) throws -> Void) throws -> SMSMessage {
            guard let index = messages.firstIndex(where: { $0.id == id }) else { throw StoreError.notFound }
            try change(&messages[index])
            return messages[index]
        }
        func recent(limit: Int) -> [SMSMessage] { Array(messages.reversed().prefix(limit)) }
    }
    actor Calls { var count = 0; var bodies: [String] = []; func add(_ body: String) { count += 1; bodies.append(body) } }

    @Test func retriesWithBackoffThenRecordsTheFailure() async throws {
        let outbox = Outbox()
        let calls = Calls()
        let gateway = WebhookSMSGateway(
            configuration: .init(url: URL(string: "https://sms.example/send")!, authHeader: ("Authorization", "Bearer x"), retries: 2),
            outbox: outbox, clock: SystemWallClock(),
            transport: { request in
                await calls.add(String(decoding: request.httpBody ?? Data(), as: UTF8.self))
                #expect(request.value(forHTTPHeaderField: "Authorization") == "Bearer x")
                return 503
            },
            sleep: { _ in })
        await #expect(throws: SMSDeliveryFailure.self) { try await gateway.send(to: "+393471112233", text: "codice \"1\"") }
        #expect(await calls.count == 3)
        #expect(await calls.bodies.first == #"{"to": "+393471112233", "text": "codice \"1\""}"#)
        let message = try #require(await outbox.messages.first)
        #expect(message.status == .failed && message.attempts == 3 && message.error == "HTTP 503")
    }

    @Test func aSuccessIsRecordedAsSent() async throws {
        let outbox = Outbox()
        let gateway = WebhookSMSGateway(configuration: .init(url: URL(string: "https://sms.example/send")!), outbox: outbox,
                                        clock: SystemWallClock(), transport: { _ in 202 }, sleep: { _ in })
        try await gateway.send(to: "+393471112233", text: "ciao")
        #expect(await outbox.messages.first?.status == .sent)
    }
}
