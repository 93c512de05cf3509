/// Where Varco draws randomness from: identifiers, cookies, codes. Injected for tests.
public protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

public struct SystemRandomSource: RandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var result: [UInt8] = []
        result.reserveCapacity(count + 8)
        while result.count < count {
            withUnsafeBytes(of: generator.next()) { result.append(contentsOf: $0) }  // 8 bytes per system call
        }
        return Array(result.prefix(count))
    }
}

extension RandomSource {
    /// An unguessable URL-safe token with `byteCount` bytes of entropy.
    public func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(byteCount))
    }

    /// A SAML/XML ID: must start with a letter or underscore (xs:ID is an NCName).
    public func xmlID() -> String {
        "_" + bytes(20).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// `count` random decimal digits, drawn without modulo bias.
    public func digits(_ count: Int) -> String {
        var result = ""
        while result.count < count {
            for byte in bytes(count) where byte < 250 && result.count < count {
                result.append(Character(String(byte % 10)))
            }
        }
        return result
    }
}

extension String {
    func leftPadded(to length: Int, with pad: Character = "0") -> String {
        count >= length ? self : String(repeating: pad, count: length - count) + self
    }
}
