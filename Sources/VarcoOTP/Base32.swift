/// RFC 4648 base32 (alphabet `A-Z2-7`), the form in which authenticator apps exchange TOTP secrets.
public enum Base32 {
    /// Why a text is not base32.
    public enum DecodingError: Error, Equatable, Sendable {
        /// A character outside the alphabet (other than whitespace and trailing `=`).
        case invalidCharacter
        /// A length no sequence of bytes encodes to (1, 3 or 6 characters in the last group).
        case invalidLength
        /// `=` in the middle of the text, or a padding length that does not fit the data.
        case invalidPadding
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Encodes `bytes` in upper case, with `=` padding to a multiple of 8 characters unless
    /// `padding` is false (authenticator apps usually omit it).
    public static func encode(_ bytes: [UInt8], padding: Bool = true) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 4) / 5 * 8)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt32(bits)) & 0x1F)])
            }
        }
        if bits > 0 {
            output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1F)])
        }
        if padding {
            while output.count % 8 != 0 { output.append(UInt8(ascii: "=")) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes `text`: letters in either case, `=` padding optional (but only at the end, and of the
    /// right length when present), whitespace anywhere ignored. Unused trailing bits are ignored.
    public static func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        var values: [UInt8] = []
        var paddingCount = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "="):
                paddingCount += 1
                continue
            default:
                break
            }
            // Data after padding has started.
            guard paddingCount == 0 else { throw .invalidPadding }
            guard let value = Self.value(of: byte) else { throw .invalidCharacter }
            values.append(value)
        }

        let remainder = values.count % 8
        // 5 bits per character: only these group lengths end on a whole byte (0, 1, 2, 3, 4 bytes).
        guard [0, 2, 4, 5, 7].contains(remainder) else { throw .invalidLength }
        if paddingCount > 0 {
            let expected = remainder == 0 ? 0 : 8 - remainder
            guard paddingCount == expected else { throw .invalidPadding }
        }

        var output: [UInt8] = []
        output.reserveCapacity(values.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for value in values {
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return output
    }

    private static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): byte - UInt8(ascii: "2") + 26
        default: nil
        }
    }
}
