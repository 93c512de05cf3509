import Foundation
import GRDB
import VarcoCore

/// Single-use keys in the `replay` table. A key counts as recorded while `now < expires`.
struct SQLiteReplayCache: ReplayCache {
    let database: SQLiteDatabase

    /// How many expired keys each call removes at most: at least one per call keeps the table from
    /// growing, a small bound keeps every call cheap (an index range scan on `expires`).
    static let purgeBatch = 16

    func consume(_ key: String, expires: Date, now: Date) async throws -> Bool {
        try await database.write("record a single-use key") { db in
            // One statement decides: insert a new key, or take over an expired one; a live key is left alone.
            try db.execute(sql: """
                INSERT INTO replay (key, expires) VALUES (?, ?)
                ON CONFLICT(key) DO UPDATE SET expires = excluded.expires WHERE replay.expires <= ?
                """, arguments: [key, expires.storedSeconds, now.storedSeconds])
            let first = db.changesCount > 0
            try db.execute(sql: """
                DELETE FROM replay WHERE key IN (SELECT key FROM replay WHERE expires <= ? LIMIT ?)
                """, arguments: [now.storedSeconds, Self.purgeBatch])
            return first
        }
    }
}
