import Foundation
import Testing
import VarcoCore
import VarcoOTP
import VarcoTesting

@Suite("OTP cohesion authenticator")
struct OTPAppAuthenticatorTests {
    static let id = "8038000030"
    static let password = "Demo-Varco-2026"
    static let secretBase32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    let clock = FixedClock(Date(timeIntervalSince1970: 1_790_000_000))
    let store = InMemoryOTPCredentialStore()
    let authenticator: OTPAppAuthenticator
    let totp: TOTP
    let citizen: CodiceFiscale

    init() throws {
        let secret = try Base32.decode(Self.secretBase32)
        totp = TOTP(secret: secret)
        citizen = try CodiceFiscale("RSSMRA80A01H501U")
        authenticator = OTPAppAuthenticator(store: store, clock: clock,
                                            hasher: PasswordHasher(parameters: .fastForTests))
    }

    /// Enrols the demo credential.
    func enrol(status: OTPCredential.Status = .active, withSecret: Bool = true) async throws {
        let hash = try PasswordHasher(parameters: .fastForTests).hash(Self.password)
        let secret = withSecret ? try Base32.decode(Self.secretBase32) : nil
        try await store.insert(OTPCredential(id: Self.id, citizen: citizen, passwordHash: hash, totpSecret: secret,
                                             status: status, created: clock.now().addingTimeInterval(-86_400)))
    }

    func stored() async throws -> OTPCredential {
        try #require(await store.find(id: Self.id))
    }

    var currentCode: String { totp.code(at: clock.now()) }

    /// A well-formed code that matches none of the steps the authenticator accepts now.
    var wrongCode: String {
        let step = totp.step(at: clock.now())
        let valid = Set((step - 1...step + 1).map { totp.code(forStep: $0) })
        return ["000000", "111111", "222222", "333333"].first { !valid.contains($0) } ?? "444444"
    }

    func login(password: String = Self.password, code: String? = nil) async throws -> AuthnResult {
        try await authenticator.authenticate(id: Self.id, password: password, code: code ?? currentCode)
    }

    @Test func descriptor() {
        #expect(authenticator.descriptor.method == .otpApp)
        #expect(authenticator.descriptor.levels == [.spidL2])
        #expect(!authenticator.descriptor.supportsPassive)
        #expect(authenticator.descriptor.canSatisfy(LoginRequirement(acceptableLevels: [.spidL2, .spidL3])))
        #expect(!authenticator.descriptor.canSatisfy(LoginRequirement(acceptableLevels: [.spidL3])))
    }

    @Test func success() async throws {
        try await enrol()
        let now = clock.now()
        let result = try await login()
        #expect(result == AuthnResult(citizen: citizen, level: .spidL2, method: .otpApp, instant: now))

        let credential = try await stored()
        #expect(credential.lastTOTPStep == totp.step(at: now))
        #expect(credential.lastLogin == now)
        #expect(credential.failedAttempts == 0)
        #expect(credential.lockedUntil == nil)
    }

    @Test func inputIsTrimmedAndCodeMayContainSpaces() async throws {
        try await enrol()
        let code = currentCode
        let spaced = String(code.prefix(3)) + " " + String(code.suffix(3))
        let result = try await authenticator.authenticate(id: " \(Self.id) ", password: Self.password, code: spaced)
        #expect(result.citizen == citizen)
    }

    @Test func wrongPassword() async throws {
        try await enrol()
        await #expect(throws: AuthnFailure.invalidCredentials) { try await login(password: "Demo-Varco-2025") }
        #expect(try await stored().failedAttempts == 1)
        #expect(try await stored().lastTOTPStep == nil)
        // The code was not used up by the failed attempt.
        _ = try await login()
        #expect(try await stored().failedAttempts == 0)
    }

    @Test func wrongCode() async throws {
        try await enrol()
        await #expect(throws: AuthnFailure.invalidCredentials) { try await login(code: wrongCode) }
        #expect(try await stored().failedAttempts == 1)
    }

    @Test func codeFromAnotherSecret() async throws {
        try await enrol()
        let otherCode = TOTP(secret: Array("another secret, 20 b".utf8)).code(at: clock.now())
        let step = totp.step(at: clock.now())
        let valid = Set((step - 1...step + 1).map { totp.code(forStep: $0) })
        try #require(!valid.contains(otherCode))
        await #expect(throws: AuthnFailure.invalidCredentials) { try await login(code: otherCode) }
    }

    @Test func replayedCodeIsRefused() async throws {
        try await enrol()
        let code = currentCode
        _ = try await login(code: code)
        await #expect(throws: AuthnFailure.invalidCredentials) { try await login(code: code) }
        #expect(try await stored().failedAttempts == 1)
        // Still refused a step later, while the code is inside the window.
        clock.advance(by: 30)
        await #expect(throws: AuthnFailure.invalidCredentials) { try await login(code: code) }
    }

    @Test func olderStepIsRefusedAfterSuccess() async throws {
        try await enrol()
        let now = clock.now()
        let previous = totp.code(forStep: totp.step(at: now) - 1)
        _ = try await login()
        await #expect(throws: AuthnFailure.invalidCredentials) { try await login(code: previous) }
    }

    @Test func nextStepCodeIsAcceptedAfterSuccess() async throws {
        try await enrol()
        let first = try await login()
        clock.advance(by: 30)
        let second = try await login()
        #expect(second.instant == first.instant.addingTimeInterval(30))
        #expect(try await stored().lastTOTPStep == totp.step(at: clock.now()))
    }

    @Test func clockDriftOfOneStepIsTolerated() async throws {
        try await enrol()
        let step = totp.step(at: clock.now())
        _ = try await login(code: totp.code(forStep: step - 1))
        _ = try await login(code: totp.code(forStep: step + 1))
        #expect(try await stored().lastTOTPStep == step + 1)
        await #expect(throws: AuthnFailure.invalidCredentials) { try await login(code: totp.code(forStep: step + 2)) }
    }

    @Test func concurrentSubmissionsOfTheSameCodeSucceedOnce() async throws {
        try await enrol()
        // Both logins read the credential before either writes, so both see the step as unused.
        let barrier = FindBarrier(base: store, parties: 2)
        let authenticator = OTPAppAuthenticator(store: barrier, clock: clock,
                                                hasher: PasswordHasher(parameters: .fastForTests))
        let code = currentCode
        let outcomes = await withTaskGroup(of: Result<AuthnResult, AuthnFailure>.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    do {
                        return .success(try await authenticator.authenticate(id: Self.id, password: Self.password,
                                                                             code: code))
                    } catch let failure as AuthnFailure {
                        return .failure(failure)
                    } catch {
                        return .failure(.disabled)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.count(where: { if case .success = $0 { true } else { false } }) == 1)
        #expect(outcomes.count(where: { if case .failure(.invalidCredentials) = $0 { true } else { false } }) == 1)
        #expect(try await stored().lastTOTPStep == totp.step(at: clock.now()))
    }

    @Test func lockoutAfterFiveFailuresAndUnlockAfterward() async throws {
        try await enrol()
        let lockedAt = clock.now()
        for attempt in 1...4 {
            await #expect(throws: AuthnFailure.invalidCredentials) { try await login(password: "wrong") }
            #expect(try await stored().failedAttempts == attempt)
        }
        let until = lockedAt.addingTimeInterval(15 * 60)
        await #expect(throws: AuthnFailure.locked(until: until)) { try await login(code: wrongCode) }
        #expect(try await stored().failedAttempts == 0)
        #expect(try await stored().lockedUntil == until)

        // Even the right secrets are refused while locked, and nothing is counted.
        clock.advance(by: 15 * 60 - 1)
        await #expect(throws: AuthnFailure.locked(until: until)) { try await login() }
        #expect(try await stored().failedAttempts == 0)

        clock.advance(by: 1)
        let result = try await login()
        #expect(result.citizen == citizen)
        let credential = try await stored()
        #expect(credential.lockedUntil == nil)
        #expect(credential.failedAttempts == 0)
    }

    @Test func successResetsTheFailureCount() async throws {
        try await enrol()
        for _ in 1...4 {
            await #expect(throws: AuthnFailure.invalidCredentials) { try await login(password: "wrong") }
        }
        _ = try await login()
        #expect(try await stored().failedAttempts == 0)
        clock.advance(by: 30)
        await #expect(throws: AuthnFailure.invalidCredentials) { try await login(password: "wrong") }
        #expect(try await stored().failedAttempts == 1)
    }

    @Test func customPolicy() async throws {
        try await enrol()
        let strict = OTPAppAuthenticator(store: store, clock: clock, hasher: PasswordHasher(parameters: .fastForTests),
                                         policy: .init(maxFailures: 2, lockout: 60))
        await #expect(throws: AuthnFailure.invalidCredentials) {
            try await strict.authenticate(id: Self.id, password: "wrong", code: currentCode)
        }
        await #expect(throws: AuthnFailure.locked(until: clock.now().addingTimeInterval(60))) {
            try await strict.authenticate(id: Self.id, password: "wrong", code: currentCode)
        }
    }

    @Test func disabledCredential() async throws {
        try await enrol(status: .disabled)
        await #expect(throws: AuthnFailure.disabled) { try await login() }
        await #expect(throws: AuthnFailure.disabled) { try await login(password: "wrong") }
        #expect(try await stored().failedAttempts == 0)
    }

    @Test func pendingFirstAccessCredential() async throws {
        try await enrol(status: .pendingFirstAccess)
        await #expect(throws: AuthnFailure.disabled) { try await login() }
    }

    @Test func credentialWithoutEnrolledApp() async throws {
        try await enrol(withSecret: false)
        await #expect(throws: AuthnFailure.disabled) { try await login() }
    }

    @Test func unknownID() async throws {
        try await enrol()
        await #expect(throws: AuthnFailure.invalidCredentials) {
            try await authenticator.authenticate(id: "8038000031", password: Self.password, code: currentCode)
        }
        #expect(try await stored().failedAttempts == 0)
    }

    @Test("missing input", arguments: [("", "pw", "123456"), ("8038000030", "", "123456"),
                                       ("8038000030", "pw", ""), ("  ", "pw", "123456"),
                                       ("8038000030", "   ", "123456"), ("8038000030", "pw", " \n")])
    func missingInput(_ fields: (String, String, String)) async throws {
        try await enrol()
        await #expect(throws: AuthnFailure.missingInput) {
            try await authenticator.authenticate(id: fields.0, password: fields.1, code: fields.2)
        }
    }

    @Test("malformed ID or code", arguments: [("803800003", "123456"), ("80380000300", "123456"),
                                              ("803800003a", "123456"), ("8038000030", "12345"),
                                              ("8038000030", "1234567"), ("8038000030", "12345x"),
                                              ("٨٠٣٨٠٠٠٠٣٠", "123456")])
    func malformedInput(_ fields: (String, String)) async throws {
        try await enrol()
        await #expect(throws: AuthnFailure.invalidCredentials) {
            try await authenticator.authenticate(id: fields.0, password: Self.password, code: fields.1)
        }
        #expect(try await stored().failedAttempts == 0)
    }
}

/// Holds every `find` until `parties` callers have read, so that concurrent logins all see the
/// state from before any of them wrote.
private actor FindBarrier: OTPCredentialStore {
    let base: InMemoryOTPCredentialStore
    let parties: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(base: InMemoryOTPCredentialStore, parties: Int) {
        self.base = base
        self.parties = parties
    }

    func insert(_ credential: OTPCredential) async throws { try await base.insert(credential) }

    func find(id: String) async throws -> OTPCredential? {
        let credential = try await base.find(id: id)
        if waiting.count + 1 >= parties {
            waiting.forEach { $0.resume() }
            waiting.removeAll()
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
        return credential
    }

    func find(citizen: CodiceFiscale) async throws -> [OTPCredential] { try await base.find(citizen: citizen) }

    func update(id: String, _ change: @Sendable (inout OTPCredential) throws -> Void) async throws -> OTPCredential {
        try await base.update(id: id, change)
    }
}
