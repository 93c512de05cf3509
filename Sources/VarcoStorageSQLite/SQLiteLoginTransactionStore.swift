import Foundation
import GRDB
import VarcoCore

/// Pending logins in the `logins` table, indexed by `expires` for cleanup.
struct SQLiteLoginTransactionStore: LoginTransactionStore {
    let database: SQLiteDatabase

    /// Throws `StoreError.duplicate` if the id is taken (ids are random: a clash is a bug).
    func insert(_ transaction: LoginTransaction) async throws {
        try await database.write("insert a login transaction") { db in
            try db.execute(sql: """
                INSERT INTO logins (id, expires, json) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING
                """, arguments: [transaction.id, transaction.expires.storedSeconds, JSONColumn.encode(transaction)])
            if db.changesCount == 0 { throw StoreError.duplicate }
        }
    }

    func find(id: String) async throws -> LoginTransaction? {
        try await database.read("read a login transaction") { db in
            try db.fetchJSON(LoginTransaction.self, "SELECT json FROM logins WHERE id = ?", [id])
        }
    }

    @discardableResult
    func update(id: String, _ change: @Sendable (inout LoginTransaction) throws -> Void) async throws -> LoginTransaction {
        try await database.write("update a login transaction") { db in
            let transaction = try db.modify(LoginTransaction.self, in: "logins", id: id, change)
            try db.execute(sql: "UPDATE logins SET expires = ?, json = ? WHERE id = ?",
                           arguments: [transaction.expires.storedSeconds, JSONColumn.encode(transaction), id])
            return transaction
        }
    }

    func delete(id: String) async throws {
        try await database.write("delete a login transaction") { db in
            try db.execute(sql: "DELETE FROM logins WHERE id = ?", arguments: [id])
        }
    }

    func deleteExpired(before cutoff: Date) async throws -> Int {
        try await database.write("delete expired login transactions") { db in
            try db.execute(sql: "DELETE FROM logins WHERE expires < ?", arguments: [cutoff.storedSeconds])
            return db.changesCount
        }
    }
}
