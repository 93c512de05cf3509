import Foundation
import GRDB
import VarcoCore

/// The audit log in the `audit` table: append-only, ordered by `seq`, the order of appending.
/// `time`, `kind`, `subject` and `relying_party` are columns too, for operators querying with SQL.
struct SQLiteAuditLog: AuditLog {
    let database: SQLiteDatabase

    func append(_ event: AuditEvent) async throws {
        try await database.write("append to the audit log") { db in
            try db.execute(sql: """
                INSERT INTO audit (time, kind, subject, relying_party, json) VALUES (?, ?, ?, ?, ?)
                """, arguments: [event.time.storedSeconds, event.kind.rawValue, event.subject, event.relyingParty,
                                 JSONColumn.encode(event)])
        }
    }

    func recent(limit: Int) async throws -> [AuditEvent] {
        guard limit > 0 else { return [] }
        return try await database.read("read the audit log") { db in
            try db.fetchAllJSON(AuditEvent.self, "SELECT json FROM audit ORDER BY seq DESC LIMIT ?", [limit])
        }
    }

    /// Uses the index on `subject`.
    func recent(subjects: [String], limit: Int) async throws -> [AuditEvent] {
        guard limit > 0, !subjects.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: subjects.count).joined(separator: ", ")
        return try await database.read("read the audit log of a citizen") { db in
            try db.fetchAllJSON(AuditEvent.self, "SELECT json FROM audit WHERE subject IN (\(marks)) ORDER BY seq DESC LIMIT ?",
                                StatementArguments(subjects) + [limit])
        }
    }

    /// Filters in SQL, on the indexed columns.
    func search(_ query: AuditQuery) async throws -> [AuditEvent] {
        guard query.limit > 0 else { return [] }
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let subject = query.subject { conditions.append("subject = ?"); arguments += [subject] }
        if let relyingParty = query.relyingParty { conditions.append("relying_party = ?"); arguments += [relyingParty] }
        if let kind = query.kind { conditions.append("kind = ?"); arguments += [kind.rawValue] }
        if let from = query.from { conditions.append("time >= ?"); arguments += [from.storedSeconds] }
        if let until = query.until { conditions.append("time < ?"); arguments += [until.storedSeconds] }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT json FROM audit \(whereClause) ORDER BY seq DESC LIMIT ?"
        let finalArguments = arguments + [query.limit]
        return try await database.read("search the audit log") { db in
            try db.fetchAllJSON(AuditEvent.self, sql, finalArguments)
        }
    }

    func deleteOlder(than cutoff: Date) async throws -> Int {
        try await database.write("apply the audit log's retention") { db in
            try db.execute(sql: "DELETE FROM audit WHERE time < ?", arguments: [cutoff.storedSeconds])
            return db.changesCount
        }
    }
}
