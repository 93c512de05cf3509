import Foundation
import VarcoCore

/// Single-use keys in the `replay` table. A key counts as recorded while `now < expires`.
struct PostgresReplayCache: ReplayCache {
    let backend: PostgresBackend

    /// How many expired keys each call removes at most: at least one per call keeps the table from growing,
    /// a small bound keeps every call cheap. Rows another node is deleting are skipped, not waited for.
    static let purgeBatch = 16

    func consume(_ key: String, expires: Date, now: Date) async throws -> Bool {
        try await backend.run("record a single-use key") { [logger = backend.logger] db in
            // One statement decides, on every node at once: insert a new key, or take over an expired one;
            // a live key is left alone and returns no row.
            let first = try await db.fetchInt("""
                INSERT INTO replay (key, expires) VALUES (\(key), \(expires.storedSeconds))
                ON CONFLICT (key) DO UPDATE SET expires = excluded.expires WHERE replay.expires <= \(now.storedSeconds)
                RETURNING 1
                """, logger) != nil
            try await db.exec("""
                DELETE FROM replay WHERE key IN (
                    SELECT key FROM replay WHERE expires <= \(now.storedSeconds) LIMIT \(Self.purgeBatch) FOR UPDATE SKIP LOCKED)
                """, logger)
            return first
        }
    }
}
