import Foundation
import VarcoCore

/// Pending upstream requests in `upstream_requests`. `take` is one DELETE ... RETURNING, so of two nodes
/// receiving the same Response only one gets the request.
struct PostgresPendingUpstreamRequestStore: PendingUpstreamRequestStore {
    let backend: PostgresBackend

    func insert(_ request: PendingUpstreamRequest) async throws {
        let json = try JSONColumn.encode(request)
        let inserted = try await backend.run("insert a pending upstream request") { [logger = backend.logger] db in
            try await db.fetchInt("""
                INSERT INTO upstream_requests (id, expires, json) VALUES (\(request.id), \(request.expires.storedSeconds), \(json)::jsonb)
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger)
        }
        if inserted == nil { throw StoreError.duplicate }
    }

    func take(id: String, now: Date) async throws -> PendingUpstreamRequest? {
        let request = try await backend.run("take a pending upstream request") { [logger = backend.logger] db in
            try await db.fetchJSON(PendingUpstreamRequest.self, "DELETE FROM upstream_requests WHERE id = \(id) RETURNING json::text", logger)
        }
        guard let request, request.expires > now else { return nil }
        return request
    }

    func deleteExpired(before cutoff: Date) async throws -> Int {
        try await backend.run("delete expired upstream requests") { [logger = backend.logger] db in
            try await db.fetchInt("""
                WITH gone AS (DELETE FROM upstream_requests WHERE expires < \(cutoff.storedSeconds) RETURNING 1) SELECT count(*) FROM gone
                """, logger) ?? 0
        }
    }
}

/// The upstream response archive in `upstream_responses`, ordered by arrival.
struct PostgresUpstreamResponseArchive: UpstreamResponseArchive {
    let backend: PostgresBackend

    func append(_ response: ArchivedUpstreamResponse) async throws {
        let json = try JSONColumn.encode(response)
        try await backend.run("archive an upstream response") { [logger = backend.logger] db in
            try await db.exec("""
                INSERT INTO upstream_responses (received, subject, json)
                VALUES (\(response.received.storedSeconds), \(response.subject), \(json)::jsonb)
                """, logger)
        }
    }

    func recent(limit: Int) async throws -> [ArchivedUpstreamResponse] {
        guard limit > 0 else { return [] }
        return try await backend.run("read the upstream response archive") { [logger = backend.logger] db in
            try await db.fetchAllJSON(ArchivedUpstreamResponse.self,
                                      "SELECT json::text FROM upstream_responses ORDER BY seq DESC LIMIT \(limit)", logger)
        }
    }

    func deleteOlder(than cutoff: Date) async throws -> Int {
        try await backend.run("purge the upstream response archive") { [logger = backend.logger] db in
            try await db.fetchInt("""
                WITH gone AS (DELETE FROM upstream_responses WHERE received < \(cutoff.storedSeconds) RETURNING 1) SELECT count(*) FROM gone
                """, logger) ?? 0
        }
    }
}
