import Foundation
import VarcoCore

/// Fixed-window counters in `otp_rate_counters`.
struct PostgresRateCounterStore: RateCounterStore {
    let backend: PostgresBackend

    /// One statement, atomic on every node at once: a new key or an expired window starts at 1 with the given
    /// window, a live one adds 1 and keeps its window. Never read-then-write.
    func increment(_ key: String, windowEnd: Date, now: Date) async throws -> Int {
        try await backend.run("count a rate-limited action") { [logger = backend.logger] db in
            try await db.fetchInt("""
                INSERT INTO otp_rate_counters AS counter (key, window_end, count) VALUES (\(key), \(windowEnd.storedSeconds), 1)
                ON CONFLICT (key) DO UPDATE SET
                    count = CASE WHEN counter.window_end <= \(now.storedSeconds) THEN 1 ELSE counter.count + 1 END,
                    window_end = CASE WHEN counter.window_end <= \(now.storedSeconds) THEN excluded.window_end ELSE counter.window_end END
                RETURNING count
                """, logger) ?? 0
        }
    }

    func count(_ key: String, now: Date) async throws -> Int {
        try await backend.run("read a rate counter") { [logger = backend.logger] db in
            try await db.fetchInt("""
                SELECT count FROM otp_rate_counters WHERE key = \(key) AND window_end > \(now.storedSeconds)
                """, logger) ?? 0
        }
    }

    func reset(_ key: String) async throws {
        try await backend.run("reset a rate counter") { [logger = backend.logger] db in
            try await db.exec("DELETE FROM otp_rate_counters WHERE key = \(key)", logger)
        }
    }
}
