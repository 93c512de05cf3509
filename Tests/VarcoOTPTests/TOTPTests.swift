import Foundation
import Testing
import VarcoOTP

@Suite("TOTP (RFC 6238 / RFC 4226)")
struct TOTPTests {
    static let sha1Secret = Array("12345678901234567890".utf8)
    static let sha256Secret = Array("12345678901234567890123456789012".utf8)
    static let sha512Secret = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)

    /// RFC 6238 appendix B: (Unix time, SHA-1, SHA-256, SHA-512), 8 digits.
    static let vectors: [(Int64, String, String, String)] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ]

    static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    @Test("RFC 6238 appendix B, SHA-1, 8 digits", arguments: vectors)
    func sha1EightDigits(_ vector: (Int64, String, String, String)) {
        let totp = TOTP(secret: Self.sha1Secret, digits: 8)
        #expect(totp.code(at: Self.date(vector.0)) == vector.1)
    }

    @Test("RFC 6238 appendix B, 6-digit form", arguments: vectors)
    func sha1SixDigits(_ vector: (Int64, String, String, String)) {
        let totp = TOTP(secret: Self.sha1Secret)
        #expect(totp.code(at: Self.date(vector.0)) == String(vector.1.suffix(6)))
    }

    @Test("RFC 6238 appendix B, SHA-256 and SHA-512", arguments: vectors)
    func sha2(_ vector: (Int64, String, String, String)) {
        let sha256 = TOTP(secret: Self.sha256Secret, digits: 8, algorithm: .sha256)
        let sha512 = TOTP(secret: Self.sha512Secret, digits: 8, algorithm: .sha512)
        #expect(sha256.code(at: Self.date(vector.0)) == vector.2)
        #expect(sha512.code(at: Self.date(vector.0)) == vector.3)
    }

    @Test func steps() {
        let totp = TOTP(secret: Self.sha1Secret)
        #expect(totp.step(at: Self.date(0)) == 0)
        #expect(totp.step(at: Self.date(29)) == 0)
        #expect(totp.step(at: Self.date(30)) == 1)
        #expect(totp.step(at: Self.date(59)) == 1)
        #expect(totp.step(at: Date(timeIntervalSince1970: 59.999)) == 1)
        #expect(totp.step(at: Self.date(1_111_111_109)) == 0x23523EC)
        #expect(totp.step(at: Self.date(20_000_000_000)) == 0x27BC86AA)
        #expect(totp.step(at: Self.date(-1)) == -1)
    }

    /// RFC 4226 appendix D: HOTP values for counters 0-9 (TOTP codes by step).
    @Test func hotpVectors() {
        let expected = ["755224", "287082", "359152", "969429", "338314",
                        "254676", "287922", "162583", "399871", "520489"]
        let totp = TOTP(secret: Self.sha1Secret)
        #expect((0..<10).map { totp.code(forStep: Int64($0)) } == expected)
    }

    @Test func verifyAcceptsOneStepEitherSide() {
        let totp = TOTP(secret: Self.sha1Secret)
        let now = Self.date(1_111_111_111)
        let current = totp.step(at: now)
        #expect(totp.verify(totp.code(forStep: current), at: now) == current)
        #expect(totp.verify(totp.code(forStep: current - 1), at: now) == current - 1)
        #expect(totp.verify(totp.code(forStep: current + 1), at: now) == current + 1)
        #expect(totp.verify(totp.code(forStep: current - 2), at: now) == nil)
        #expect(totp.verify(totp.code(forStep: current + 2), at: now) == nil)
        #expect(totp.verify(totp.code(forStep: current - 2), at: now, window: 2) == current - 2)
        #expect(totp.verify(totp.code(forStep: current + 1), at: now, window: 0) == nil)
    }

    @Test func verifySkipsStepsAlreadyAccepted() {
        let totp = TOTP(secret: Self.sha1Secret)
        let now = Self.date(1_111_111_111)
        let current = totp.step(at: now)
        let code = totp.code(forStep: current)
        #expect(totp.verify(code, at: now, after: current - 1) == current)
        #expect(totp.verify(code, at: now, after: current) == nil)
        #expect(totp.verify(totp.code(forStep: current - 1), at: now, after: current) == nil)
        #expect(totp.verify(totp.code(forStep: current + 1), at: now, after: current) == current + 1)
    }

    @Test func verifyRejectsMalformedCodes() {
        let totp = TOTP(secret: Self.sha1Secret)
        let now = Self.date(59)
        let code = totp.code(at: now)
        #expect(code == "287082")
        #expect(totp.verify(code, at: now) == 1)
        #expect(totp.verify(String(code.dropLast()), at: now) == nil)
        #expect(totp.verify(code + "0", at: now) == nil)
        #expect(totp.verify("", at: now) == nil)
        #expect(totp.verify("28708a", at: now) == nil)
        #expect(totp.verify("٢٨٧٠٨٢", at: now) == nil)  // Arabic-Indic digits
    }
}
