import Foundation
import GRDB
import VarcoCore

/// How aggregates are written to the `json` columns: JSON with dates as seconds since 1970
/// (sub-second precision kept) and sorted keys, so equal values give equal text.
enum JSONColumn {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: Data(text.utf8))
    }
}

extension Date {
    /// The value stored in date columns.
    var storedSeconds: Double { timeIntervalSince1970 }
}

extension Database {
    /// The record in the `json` column of the first row `sql` selects, if any.
    func fetchJSON<T: Decodable>(_ type: T.Type, _ sql: String, _ arguments: StatementArguments) throws -> T? {
        try String.fetchOne(self, sql: sql, arguments: arguments).map { try JSONColumn.decode(type, from: $0) }
    }

    /// The records in the `json` column of every row `sql` selects.
    func fetchAllJSON<T: Decodable>(_ type: T.Type, _ sql: String, _ arguments: StatementArguments = []) throws -> [T] {
        try String.fetchAll(self, sql: sql, arguments: arguments).map { try JSONColumn.decode(type, from: $0) }
    }

    /// Reads the record with primary key `id` from `table` and applies the caller's change to it;
    /// the caller then writes it back in the same transaction.
    /// Throws `StoreError.notFound` if absent; an error from `change` is wrapped in `CallerError`.
    func modify<T: Decodable>(_ type: T.Type, in table: String, id: String,
                              _ change: (inout T) throws -> Void) throws -> T {
        guard var value = try fetchJSON(type, "SELECT json FROM \(table) WHERE id = ?", [id]) else {
            throw StoreError.notFound
        }
        do {
            try change(&value)
        } catch {
            throw CallerError(underlying: error)
        }
        return value
    }
}
