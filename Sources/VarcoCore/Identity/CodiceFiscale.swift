/// A validated Italian personal codice fiscale (16 characters, check character verified,
/// omocodia letters accepted). Construct with `init(_:)`, which throws on anything else.
public struct CodiceFiscale: Sendable, Codable, Hashable, CustomStringConvertible {
    public let value: String

    public enum Invalid: Error, Equatable { case length, format, checkCharacter }

    public init(_ raw: String) throws(Invalid) {
        let text = raw.uppercased().filter { !$0.isWhitespace }
        guard text.count == 16, text.allSatisfy({ $0.isASCII }) else { throw .length }
        let chars = Array(text.utf8)
        // Positions (0-based) that hold digits, possibly replaced by omocodia letters.
        let numeric: Set<Int> = [6, 7, 9, 10, 12, 13, 14]
        for (index, byte) in chars.enumerated() {
            let isLetter = byte >= 65 && byte <= 90
            let isDigit = byte >= 48 && byte <= 57
            if numeric.contains(index) {
                guard isDigit || Self.omocodia.contains(byte) else { throw .format }
            } else if index == 8 {
                guard Self.months.contains(byte) else { throw .format }
            } else {
                guard isLetter else { throw .format }
            }
        }
        guard Self.checkCharacter(Array(chars.prefix(15))) == chars[15] else { throw .checkCharacter }
        self.value = text
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        try self.init(raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// `LMNPQRSTUV` stand for 0-9 where omocodia replaced a digit.
    static let omocodia = Array("LMNPQRSTUV".utf8)
    static let months = Array("ABCDEHLMPRST".utf8)
    static let oddValues: [Int] = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]

    static func checkCharacter(_ first15: [UInt8]) -> UInt8 {
        var sum = 0
        for (index, byte) in first15.enumerated() {
            let ordinal = byte <= 57 ? Int(byte - 48) : Int(byte - 65)  // digits map like A-J
            sum += index % 2 == 0 ? oddValues[ordinal] : ordinal
        }
        return UInt8(65 + sum % 26)
    }
}
