import Foundation
import VarcoCore

/// SSO sessions in the `sessions` table, indexed by `last_seen` for idle expiry.
struct PostgresSessionStore: SessionStore {
    let backend: PostgresBackend

    /// Throws `StoreError.duplicate` if the id is taken (ids are random: a clash is a bug).
    func insert(_ session: SSOSession) async throws {
        let json = try JSONColumn.encode(session)
        let inserted = try await backend.run("insert a session") { [logger = backend.logger] db in
            try await db.fetchInt("""
                INSERT INTO sessions (id, last_seen, json) VALUES (\(session.id), \(session.lastSeen.storedSeconds), \(json)::jsonb)
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger)
        }
        if inserted == nil { throw StoreError.duplicate }
    }

    func find(id: String) async throws -> SSOSession? {
        try await backend.run("read a session") { [logger = backend.logger] db in
            try await db.fetchJSON(SSOSession.self, "SELECT json::text FROM sessions WHERE id = \(id)", logger)
        }
    }

    @discardableResult
    func update(id: String, _ change: @Sendable (inout SSOSession) throws -> Void) async throws -> SSOSession {
        try await withoutActuallyEscaping(change) { change in
            try await backend.transaction("update a session") { [logger = backend.logger] db in
                let session = try await db.modify(SSOSession.self, in: "sessions", id: id, logger, change)
                try await db.exec("""
                    UPDATE sessions SET last_seen = \(session.lastSeen.storedSeconds), json = \(try JSONColumn.encode(session))::jsonb
                    WHERE id = \(id)
                    """, logger)
                return session
            }
        }
    }

    func delete(id: String) async throws {
        try await backend.run("delete a session") { [logger = backend.logger] db in
            try await db.exec("DELETE FROM sessions WHERE id = \(id)", logger)
        }
    }

    func deleteIdle(lastSeenBefore cutoff: Date) async throws -> Int {
        try await backend.run("delete idle sessions") { [logger = backend.logger] db in
            try await db.fetchInt("""
                WITH gone AS (DELETE FROM sessions WHERE last_seen < \(cutoff.storedSeconds) RETURNING 1) SELECT count(*) FROM gone
                """, logger) ?? 0
        }
    }

    func expired(lastSeenBefore: Date, createdBefore: Date, limit: Int) async throws -> [SSOSession] {
        try await backend.run("read expired sessions") { [logger = backend.logger] db in
            try await db.fetchAllJSON(SSOSession.self, """
                SELECT json::text FROM sessions
                WHERE (last_seen < \(lastSeenBefore.storedSeconds) OR (json->>'created')::double precision < \(createdBefore.storedSeconds))
                  AND (json->'logout' IS NULL OR json->'logout' = 'null'::jsonb)
                ORDER BY last_seen LIMIT \(limit)
                """, logger)
        }
    }
}
