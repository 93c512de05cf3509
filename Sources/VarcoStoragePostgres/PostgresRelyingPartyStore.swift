import VarcoCore

/// Registered services in the `relying_parties` table.
struct PostgresRelyingPartyStore: RelyingPartyStore {
    let backend: PostgresBackend

    func save(_ relyingParty: RelyingParty) async throws {
        let json = try JSONColumn.encode(relyingParty)
        try await backend.run("save a relying party") { [logger = backend.logger] db in
            try await db.exec("""
                INSERT INTO relying_parties (id, json) VALUES (\(relyingParty.id), \(json)::jsonb)
                ON CONFLICT (id) DO UPDATE SET json = excluded.json
                """, logger)
        }
    }

    func find(id: String) async throws -> RelyingParty? {
        try await backend.run("read a relying party") { [logger = backend.logger] db in
            try await db.fetchJSON(RelyingParty.self, "SELECT json::text FROM relying_parties WHERE id = \(id)", logger)
        }
    }

    /// Every registration, ordered by id.
    func list() async throws -> [RelyingParty] {
        try await backend.run("list relying parties") { [logger = backend.logger] db in
            try await db.fetchAllJSON(RelyingParty.self, "SELECT json::text FROM relying_parties ORDER BY id COLLATE \"C\"", logger)
        }
    }

    func remove(id: String) async throws -> Bool {
        try await backend.run("remove a relying party") { [logger = backend.logger] db in
            try await db.fetchInt("DELETE FROM relying_parties WHERE id = \(id) RETURNING 1", logger) != nil
        }
    }

    /// Compare and replace in one statement: the row changes only if it still has `expectedVersion`.
    func replace(_ relyingParty: RelyingParty, expectedVersion: Int) async throws {
        let json = try JSONColumn.encode(relyingParty)
        let outcome = try await backend.run("change a relying party") { [logger = backend.logger] db in
            try await db.fetchInt("""
                WITH changed AS (
                    UPDATE relying_parties SET json = \(json)::jsonb
                    WHERE id = \(relyingParty.id) AND COALESCE((json->>'version')::int, 1) = \(expectedVersion) RETURNING 1)
                SELECT CASE WHEN EXISTS (SELECT 1 FROM changed) THEN 1
                            WHEN EXISTS (SELECT 1 FROM relying_parties WHERE id = \(relyingParty.id)) THEN 2 ELSE 0 END
                """, logger)
        }
        switch outcome {
        case 1: return
        case 2: throw StoreError.duplicate
        default: throw StoreError.notFound
        }
    }
}
