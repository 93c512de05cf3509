import Foundation
import GRDB
import VarcoCore

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
