import Foundation
import GRDB
import VarcoCore

/// Pending upstream AuthnRequests in `upstream_requests`; `take` deletes in the same transaction.
struct SQLitePendingUpstreamRequestStore: PendingUpstreamRequestStore {
    let database: SQLiteDatabase

    func insert(_ request: PendingUpstreamRequest) async throws {
        try await database.write("insert a pending upstream request") { db in
            try db.execute(sql: """
                INSERT INTO upstream_requests (id, expires, json) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING
                """, arguments: [request.id, request.expires.storedSeconds, JSONColumn.encode(request)])
            if db.changesCount == 0 { throw StoreError.duplicate }
        }
    }

    func take(id: String, now: Date) async throws -> PendingUpstreamRequest? {
        try await database.write("take a pending upstream request") { db in
            guard let request = try db.fetchJSON(PendingUpstreamRequest.self, "SELECT json FROM upstream_requests WHERE id = ?", [id])
            else { return nil }
            try db.execute(sql: "DELETE FROM upstream_requests WHERE id = ?", arguments: [id])
            return request.expires > now ? request : nil
        }
    }

    func deleteExpired(before cutoff: Date) async throws -> Int {
        try await database.write("delete expired upstream requests") { db in
            try db.execute(sql: "DELETE FROM upstream_requests WHERE expires < ?", arguments: [cutoff.storedSeconds])
            return db.changesCount
        }
    }
}

/// The upstream response archive in `upstream_responses`, ordered by arrival.
struct SQLiteUpstreamResponseArchive: UpstreamResponseArchive {
    let database: SQLiteDatabase

    func append(_ response: ArchivedUpstreamResponse) async throws {
        try await database.write("archive an upstream response") { db in
            try db.execute(sql: "INSERT INTO upstream_responses (received, subject, json) VALUES (?, ?, ?)",
                           arguments: [response.received.storedSeconds, response.subject, JSONColumn.encode(response)])
        }
    }

    func recent(limit: Int) async throws -> [ArchivedUpstreamResponse] {
        guard limit > 0 else { return [] }
        return try await database.read("read the upstream response archive") { db in
            try db.fetchAllJSON(ArchivedUpstreamResponse.self, "SELECT json FROM upstream_responses ORDER BY seq DESC LIMIT ?", [limit])
        }
    }

    func deleteOlder(than cutoff: Date) async throws -> Int {
        try await database.write("purge the upstream response archive") { db in
            try db.execute(sql: "DELETE FROM upstream_responses WHERE received < ?", arguments: [cutoff.storedSeconds])
            return db.changesCount
        }
    }
}
