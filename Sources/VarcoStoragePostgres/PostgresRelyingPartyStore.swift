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
}
