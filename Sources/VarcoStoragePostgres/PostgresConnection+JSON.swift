import Foundation
import Logging
import PostgresNIO
import VarcoCore

extension PostgresConnection {
    /// The record in the first column (JSON text) of the first row `query` selects, if any.
    func fetchJSON<T: Decodable>(_ type: T.Type, _ query: PostgresQuery, _ logger: Logger) async throws -> T? {
        for try await text in try await self.query(query, logger: logger).decode(String.self) {
            return try JSONColumn.decode(type, from: text)
        }
        return nil
    }

    /// The records in the first column (JSON text) of every row `query` selects.
    func fetchAllJSON<T: Decodable>(_ type: T.Type, _ query: PostgresQuery, _ logger: Logger) async throws -> [T] {
        var values: [T] = []
        for try await text in try await self.query(query, logger: logger).decode(String.self) {
            values.append(try JSONColumn.decode(type, from: text))
        }
        return values
    }

    /// The whole number in the first column of the first row, if any (`count(*)`, a `RETURNING` column).
    func fetchInt(_ query: PostgresQuery, _ logger: Logger) async throws -> Int? {
        for try await value in try await self.query(query, logger: logger).decode(Int.self) { return value }
        return nil
    }

    /// The boolean in the first column of the first row, if any.
    func fetchBool(_ query: PostgresQuery, _ logger: Logger) async throws -> Bool? {
        for try await value in try await self.query(query, logger: logger).decode(Bool.self) { return value }
        return nil
    }

    /// Reads and locks (`FOR UPDATE`) the record with key `id` in `table` and applies the caller's change;
    /// the caller writes it back in the same transaction. Throws `StoreError.notFound` if absent; an error
    /// from `change` is wrapped in `CallerError`.
    func modify<T: Decodable>(_ type: T.Type, in table: String, id: String, _ logger: Logger,
                              _ change: (inout T) throws -> Void) async throws -> T {
        guard var value = try await fetchJSON(type, "SELECT json::text FROM \(unescaped: table) WHERE id = \(id) FOR UPDATE", logger) else {
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
