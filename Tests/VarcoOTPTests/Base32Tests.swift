import Testing
import VarcoOTP

@Suite("Base32 (RFC 4648)")
struct Base32Tests {
    /// RFC 4648 section 10.
    static let vectors: [(String, String)] = [
        ("", ""),
        ("f", "MY======"),
        ("fo", "MZXQ===="),
        ("foo", "MZXW6==="),
        ("foob", "MZXW6YQ="),
        ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI======"),
    ]

    @Test("RFC 4648 vectors", arguments: vectors)
    func roundTrip(_ vector: (String, String)) throws {
        let bytes = Array(vector.0.utf8)
        #expect(Base32.encode(bytes) == vector.1)
        #expect(try Base32.decode(vector.1) == bytes)
        // Without padding, in lower case.
        let bare = String(vector.1.filter { $0 != "=" })
        #expect(Base32.encode(bytes, padding: false) == bare)
        #expect(try Base32.decode(bare.lowercased()) == bytes)
    }

    @Test func allByteValuesRoundTrip() throws {
        let bytes = (0...255).map { UInt8($0) }
        for length in [1, 2, 3, 4, 5, 6, 19, 20, 256] {
            let slice = Array(bytes.prefix(length))
            #expect(try Base32.decode(Base32.encode(slice)) == slice)
            #expect(try Base32.decode(Base32.encode(slice, padding: false)) == slice)
        }
    }

    @Test func demoSecret() throws {
        let secret = try Base32.decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(secret == Array("12345678901234567890".utf8))
        #expect(Base32.encode(secret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    }

    @Test func ignoresWhitespaceAndCase() throws {
        let expected = Array("12345678901234567890".utf8)
        #expect(try Base32.decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq") == expected)
        #expect(try Base32.decode(" GEZDGNBV\tGY3TQOJQ\nGEZDGNBVGY3TQOJQ ") == expected)
        #expect(try Base32.decode("MZXW6 YQ=") == Array("foob".utf8))
    }

    @Test("invalid characters", arguments: ["MZXW6YT1", "MZXW6YT0", "MZXW6YT8", "MZXW6YT!", "MZXW-6YTB", "MZXW6YTÈ"])
    func invalidCharacter(_ text: String) {
        #expect(throws: Base32.DecodingError.invalidCharacter) { try Base32.decode(text) }
    }

    @Test("impossible lengths", arguments: ["M", "MZX", "MZXW6Y", "MZXW6YTBO"])
    func invalidLength(_ text: String) {
        #expect(throws: Base32.DecodingError.invalidLength) { try Base32.decode(text) }
    }

    @Test("misplaced or wrong padding", arguments: ["MY=A====", "MZXW6=YQ", "MY==", "MZXW6YQ==", "========", "MZXW6YTB========"])
    func invalidPadding(_ text: String) {
        #expect(throws: Base32.DecodingError.invalidPadding) { try Base32.decode(text) }
    }
}
