import Foundation
import Testing
import VarcoCore
import VarcoOTP
import VarcoTesting

@Suite("Authenticator-app recovery codes and otpauth URI")
struct RecoveryCodeTests {
    static let id = "8038000030"
    static let password = "Demo-Varco-2026"

    @Test func codesAreTenDistinctAndWellFormed() {
        let codes = RecoveryCodes.generate(SystemRandomSource())
        #expect(codes.count == 10 && Set(codes).count == 10)
        for code in codes {
            #expect(code.count == 11 && Array(code)[5] == "-")
            #expect(RecoveryCodes.looksLikeCode(code) && RecoveryCodes.looksLikeCode(code.uppercased().replacingOccurrences(of: "-", with: " ")))
            #expect(RecoveryCodes.hash(code) == RecoveryCodes.hash(code.uppercased()))
            #expect(RecoveryCodes.hash(code) != code)
        }
        #expect(!RecoveryCodes.looksLikeCode("123456"))
        #expect(!RecoveryCodes.looksLikeCode("abcde-fghi0"))
    }

    @Test func otpauthURI() throws {
        let secret = try Base32.decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(RegionalOTP.otpauthURI(secret: secret, id: "0000123456")
            == "otpauth://totp/Varco:0000123456?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Varco&algorithm=SHA1&digits=6&period=30")
    }

    @Test func aRecoveryCodeReplacesTheAppCodeOnce() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_790_000_000))
        let store = InMemoryOTPCredentialStore()
        let hasher = PasswordHasher(parameters: .fastForTests)
        let codes = RecoveryCodes.generate(SystemRandomSource())
        var credential = OTPCredential(id: Self.id, citizen: try CodiceFiscale("RSSMRA80A01H501U"),
                                       passwordHash: try hasher.hash(Self.password),
                                       totpSecret: Array("12345678901234567890".utf8), created: clock.now())
        credential.recoveryCodeHashes = codes.map(RecoveryCodes.hash)
        try await store.insert(credential)
        let authenticator = OTPAppAuthenticator(store: store, clock: clock, hasher: hasher)

        let result = try await authenticator.authenticate(id: Self.id, password: Self.password, code: codes[0])
        #expect(result.method == .otpApp && result.level == .spidL2)
        await #expect(throws: AuthnFailure.invalidCredentials) {
            try await authenticator.authenticate(id: Self.id, password: Self.password, code: codes[0])
        }
        let stored = try #require(try await store.find(id: Self.id))
        #expect(stored.recoveryCodeHashes?.count == 9 && stored.failedAttempts == 1)
        // Wrong password with a good code: refused, the code stays.
        await #expect(throws: AuthnFailure.invalidCredentials) {
            try await authenticator.authenticate(id: Self.id, password: "not-the-password", code: codes[1])
        }
        #expect(try await store.find(id: Self.id)?.recoveryCodeHashes?.count == 9)
        // Without an enrolled app recovery codes open nothing.
        try await store.update(id: Self.id) { $0.totpSecret = nil }
        await #expect(throws: AuthnFailure.disabled) {
            try await authenticator.authenticate(id: Self.id, password: Self.password, code: codes[2])
        }
    }
}
