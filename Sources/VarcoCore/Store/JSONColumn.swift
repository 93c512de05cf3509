import Foundation

/// How the storage backends write aggregates to their `json` columns: JSON with dates as seconds since 1970
/// (sub-second precision kept) and sorted keys, so that equal values give equal text and a record moves between
/// SQLite and PostgreSQL unchanged.
public enum JSONColumn {
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: Data(text.utf8))
    }
}

extension Date {
    /// The value the backends store in date columns: seconds since 1970, the same number as in the JSON.
    public var storedSeconds: Double { timeIntervalSince1970 }
}
