import GRDB
import VarcoCore

/// Citizens in the `citizens` table, keyed by codice fiscale.
struct SQLiteCitizenStore: CitizenStore {
    let database: SQLiteDatabase

    func save(_ citizen: Citizen) async throws {
        try await database.write("save a citizen") { db in
            try db.execute(sql: """
                INSERT INTO citizens (cf, json) VALUES (?, ?)
                ON CONFLICT(cf) DO UPDATE SET json = excluded.json
                """, arguments: [citizen.codiceFiscale.value, JSONColumn.encode(citizen)])
        }
    }

    func find(_ codiceFiscale: CodiceFiscale) async throws -> Citizen? {
        try await database.read("read a citizen") { db in
            try db.fetchJSON(Citizen.self, "SELECT json FROM citizens WHERE cf = ?", [codiceFiscale.value])
        }
    }
}
