import Foundation
import VarcoCore

/// The audit log in the `audit` table: append-only, ordered by `seq`. `time`, `kind`, `subject` and
/// `relying_party` are columns too, for operators querying with SQL.
struct PostgresAuditLog: AuditLog {
    let backend: PostgresBackend

    func append(_ event: AuditEvent) async throws {
        let json = try JSONColumn.encode(event)
        try await backend.run("append to the audit log") { [logger = backend.logger] db in
            try await db.exec("""
                INSERT INTO audit (time, kind, subject, relying_party, json)
                VALUES (\(event.time.storedSeconds), \(event.kind.rawValue), \(event.subject), \(event.relyingParty), \(json)::jsonb)
                """, logger)
        }
    }

    func recent(limit: Int) async throws -> [AuditEvent] {
        guard limit > 0 else { return [] }
        return try await backend.run("read the audit log") { [logger = backend.logger] db in
            try await db.fetchAllJSON(AuditEvent.self, "SELECT json::text FROM audit ORDER BY seq DESC LIMIT \(limit)", logger)
        }
    }

    /// Uses the index on `subject`.
    func recent(subjects: [String], limit: Int) async throws -> [AuditEvent] {
        guard limit > 0, !subjects.isEmpty else { return [] }
        return try await backend.run("read the audit log of a citizen") { [logger = backend.logger] db in
            try await db.fetchAllJSON(AuditEvent.self, """
                SELECT json::text FROM audit WHERE subject = ANY(\(subjects)) ORDER BY seq DESC LIMIT \(limit)
                """, logger)
        }
    }

    /// Filters in SQL on the indexed columns; an absent filter matches everything.
    func search(_ query: AuditQuery) async throws -> [AuditEvent] {
        guard query.limit > 0 else { return [] }
        let from = query.from?.storedSeconds, until = query.until?.storedSeconds
        return try await backend.run("search the audit log") { [logger = backend.logger] db in
            try await db.fetchAllJSON(AuditEvent.self, """
                SELECT json::text FROM audit
                WHERE (\(query.subject)::text IS NULL OR subject = \(query.subject))
                  AND (\(query.relyingParty)::text IS NULL OR relying_party = \(query.relyingParty))
                  AND (\(query.kind?.rawValue)::text IS NULL OR kind = \(query.kind?.rawValue))
                  AND (\(from)::double precision IS NULL OR time >= \(from))
                  AND (\(until)::double precision IS NULL OR time < \(until))
                ORDER BY seq DESC LIMIT \(query.limit)
                """, logger)
        }
    }

    func deleteOlder(than cutoff: Date) async throws -> Int {
        try await backend.run("apply the audit log's retention") { [logger = backend.logger] db in
            try await db.fetchInt("""
                WITH gone AS (DELETE FROM audit WHERE time < \(cutoff.storedSeconds) RETURNING 1) SELECT count(*) FROM gone
                """, logger) ?? 0
        }
    }
}
