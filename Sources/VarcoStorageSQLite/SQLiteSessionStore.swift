import Foundation
import GRDB
import VarcoCore

/// SSO sessions in the `sessions` table, indexed by `last_seen` for idle expiry.
struct SQLiteSessionStore: SessionStore {
    let database: SQLiteDatabase

    /// Throws `StoreError.duplicate` if the id is taken (ids are random: a clash is a bug).
    func insert(_ session: SSOSession) async throws {
        try await database.write("insert a session") { db in
            try db.execute(sql: """
                INSERT INTO sessions (id, last_seen, json) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING
                """, arguments: [session.id, session.lastSeen.storedSeconds, JSONColumn.encode(session)])
            if db.changesCount == 0 { throw StoreError.duplicate }
        }
    }

    func find(id: String) async throws -> SSOSession? {
        try await database.read("read a session") { db in
            try db.fetchJSON(SSOSession.self, "SELECT json FROM sessions WHERE id = ?", [id])
        }
    }

    @discardableResult
    func update(id: String, _ change: @Sendable (inout SSOSession) throws -> Void) async throws -> SSOSession {
        try await database.write("update a session") { db in
            let session = try db.modify(SSOSession.self, in: "sessions", id: id, change)
            try db.execute(sql: "UPDATE sessions SET last_seen = ?, json = ? WHERE id = ?",
                           arguments: [session.lastSeen.storedSeconds, JSONColumn.encode(session), id])
            return session
        }
    }

    func delete(id: String) async throws {
        try await database.write("delete a session") { db in
            try db.execute(sql: "DELETE FROM sessions WHERE id = ?", arguments: [id])
        }
    }

    func deleteIdle(lastSeenBefore cutoff: Date) async throws -> Int {
        try await database.write("delete idle sessions") { db in
            try db.execute(sql: "DELETE FROM sessions WHERE last_seen < ?", arguments: [cutoff.storedSeconds])
            return db.changesCount
        }
    }

    func expired(lastSeenBefore: Date, createdBefore: Date, limit: Int) async throws -> [SSOSession] {
        try await database.read("read expired sessions") { db in
            try db.fetchAllJSON(SSOSession.self, """
                SELECT json FROM sessions
                WHERE (last_seen < ? OR json_extract(json, '$.created') < ?) AND json_extract(json, '$.logout') IS NULL
                ORDER BY last_seen LIMIT ?
                """, [lastSeenBefore.storedSeconds, createdBefore.storedSeconds, limit])
        }
    }
}
