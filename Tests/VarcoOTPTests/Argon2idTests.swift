import Foundation
import Testing
import VarcoCore
import VarcoOTP
import VarcoXML

@Suite("Argon2id and PasswordHasher")
struct Argon2idTests {
    let salt: [UInt8] = Array(0..<16)

    @Test func roundTripWithDefaultParameters() throws {
        let encoded = try Argon2id.hash("Demo-Varco-2026", salt: salt)
        #expect(encoded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        // Unpadded standard base64 of 16 salt bytes and of a 32-byte hash.
        let parts = encoded.split(separator: "$")
        #expect(parts.count == 5)
        #expect(parts.last?.count == 43)
        #expect(Argon2id.verify("Demo-Varco-2026", encoded: encoded))
        #expect(!Argon2id.verify("demo-Varco-2026", encoded: encoded))
    }

    @Test func sameInputsGiveSameHashDifferentSaltsDiffer() throws {
        let first = try Argon2id.hash("secret", salt: salt, parameters: .fastForTests)
        let again = try Argon2id.hash("secret", salt: salt, parameters: .fastForTests)
        let other = try Argon2id.hash("secret", salt: salt.reversed(), parameters: .fastForTests)
        #expect(first == again)
        #expect(first != other)
        #expect(first.hasPrefix("$argon2id$v=19$m=64,t=1,p=1$"))
    }

    @Test func wrongPassword() throws {
        let encoded = try Argon2id.hash("correct horse", salt: salt, parameters: .fastForTests)
        #expect(Argon2id.verify("correct horse", encoded: encoded))
        #expect(!Argon2id.verify("correct horse ", encoded: encoded))
        #expect(!Argon2id.verify("", encoded: encoded))
    }

    @Test func emptyPasswordHashes() throws {
        let encoded = try Argon2id.hash("", salt: salt, parameters: .fastForTests)
        #expect(Argon2id.verify("", encoded: encoded))
        #expect(!Argon2id.verify("x", encoded: encoded))
    }

    @Test func malformedEncodedStringsAreFalse() throws {
        let encoded = try Argon2id.hash("pw", salt: salt, parameters: .fastForTests)
        let malformed = [
            "",
            "garbage",
            "$argon2id$",
            String(encoded.dropLast(5)),
            encoded.replacingOccurrences(of: "$argon2id$", with: "$argon2i$"),
            encoded.replacingOccurrences(of: "m=64", with: "m=abc"),
            encoded + "$extra",
            encoded.replacingOccurrences(of: "$argon2id$", with: "$argon2id\0$"),
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        ]
        for text in malformed {
            #expect(!Argon2id.verify("pw", encoded: text), "accepted \(text)")
        }
    }

    @Test func refusesShortSalt() {
        #expect(throws: Argon2id.Failure.self) {
            try Argon2id.hash("pw", salt: [1, 2, 3], parameters: .fastForTests)
        }
    }

    @Test func passwordHasherDrawsSaltAndNormalises() throws {
        let hasher = PasswordHasher(parameters: .fastForTests)
        let first = try hasher.hash("Demo-Varco-2026")
        let second = try hasher.hash("Demo-Varco-2026")
        #expect(first != second)  // fresh salt each time
        #expect(hasher.verify("Demo-Varco-2026", encoded: first))
        #expect(hasher.verify("Demo-Varco-2026", encoded: second))
        #expect(!hasher.verify("Demo-Varco-2025", encoded: first))

        // "è" precomposed (U+00E8) and decomposed (e + U+0300) are the same password.
        let precomposed = try hasher.hash("perch\u{E8}")
        #expect(hasher.verify("perche\u{300}", encoded: precomposed))
    }
}
