import Foundation
import VarcoCore

/// Pending logins in the `logins` table, indexed by `expires` for cleanup.
struct PostgresLoginTransactionStore: LoginTransactionStore {
    let backend: PostgresBackend

    /// Throws `StoreError.duplicate` if the id is taken (ids are random: a clash is a bug).
    func insert(_ transaction: LoginTransaction) async throws {
        let json = try JSONColumn.encode(transaction)
        let inserted = try await backend.run("insert a login transaction") { [logger = backend.logger] db in
            try await db.fetchInt("""
                INSERT INTO logins (id, expires, json) VALUES (\(transaction.id), \(transaction.expires.storedSeconds), \(json)::jsonb)
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger)
        }
        if inserted == nil { throw StoreError.duplicate }
    }

    func find(id: String) async throws -> LoginTransaction? {
        try await backend.run("read a login transaction") { [logger = backend.logger] db in
            try await db.fetchJSON(LoginTransaction.self, "SELECT json::text FROM logins WHERE id = \(id)", logger)
        }
    }

    @discardableResult
    func update(id: String, _ change: @Sendable (inout LoginTransaction) throws -> Void) async throws -> LoginTransaction {
        try await withoutActuallyEscaping(change) { change in
            try await backend.transaction("update a login transaction") { [logger = backend.logger] db in
                let transaction = try await db.modify(LoginTransaction.self, in: "logins", id: id, logger, change)
                try await db.exec("""
                    UPDATE logins SET expires = \(transaction.expires.storedSeconds), json = \(try JSONColumn.encode(transaction))::jsonb
                    WHERE id = \(id)
                    """, logger)
                return transaction
            }
        }
    }

    func delete(id: String) async throws {
        try await backend.run("delete a login transaction") { [logger = backend.logger] db in
            try await db.exec("DELETE FROM logins WHERE id = \(id)", logger)
        }
    }

    func deleteExpired(before cutoff: Date) async throws -> Int {
        try await backend.run("delete expired login transactions") { [logger = backend.logger] db in
            try await db.fetchInt("""
                WITH gone AS (DELETE FROM logins WHERE expires < \(cutoff.storedSeconds) RETURNING 1) SELECT count(*) FROM gone
                """, logger) ?? 0
        }
    }
}
