/// `application/x-www-form-urlencoded` and URL query strings, decoded strictly: a parameter that
/// appears twice is refused (an attacker's second value must never shadow the first).
public struct URLEncodedForm: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public let name: String
        public let value: String
        /// The value exactly as it was sent, still percent-encoded (needed for Redirect-binding signatures).
        public let rawValue: Substring
    }

    public enum Invalid: Error, Equatable {
        case duplicateParameter(String)
        case badEncoding
        case tooLarge
    }

    public let fields: [Field]

    public init(_ encoded: Substring, maxLength: Int = 512 * 1024) throws(Invalid) {
        guard encoded.utf8.count <= maxLength else { throw .tooLarge }
        var seen = Set<String>()
        var fields: [Field] = []
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]) else { throw .badEncoding }
            let raw = parts.count > 1 ? parts[1] : ""
            guard let value = Self.decode(raw) else { throw .badEncoding }
            guard seen.insert(name).inserted else { throw .duplicateParameter(name) }
            fields.append(Field(name: name, value: value, rawValue: raw))
        }
        self.fields = fields
    }

    public init(_ encoded: String, maxLength: Int = 512 * 1024) throws(Invalid) {
        try self.init(Substring(encoded), maxLength: maxLength)
    }

    public subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    public func raw(_ name: String) -> Substring? { fields.first { $0.name == name }?.rawValue }

    /// Percent-decoding with `+` as space; nil for malformed escapes or invalid UTF-8.
    public static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Percent-encoding of everything but unreserved characters (RFC 3986 §2.3).
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
