import VarcoCore

/// Citizens in the `citizens` table, keyed by codice fiscale.
struct PostgresCitizenStore: CitizenStore {
    let backend: PostgresBackend

    func save(_ citizen: Citizen) async throws {
        let json = try JSONColumn.encode(citizen)
        try await backend.run("save a citizen") { [logger = backend.logger] db in
            try await db.exec("""
                INSERT INTO citizens (cf, json) VALUES (\(citizen.codiceFiscale.value), \(json)::jsonb)
                ON CONFLICT (cf) DO UPDATE SET json = excluded.json
                """, logger)
        }
    }

    func find(_ codiceFiscale: CodiceFiscale) async throws -> Citizen? {
        try await backend.run("read a citizen") { [logger = backend.logger] db in
            try await db.fetchJSON(Citizen.self, "SELECT json::text FROM citizens WHERE cf = \(codiceFiscale.value)", logger)
        }
    }
}
