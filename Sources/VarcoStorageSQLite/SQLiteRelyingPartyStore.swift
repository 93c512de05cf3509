import GRDB
import VarcoCore

/// Registered services in the `relying_parties` table.
struct SQLiteRelyingPartyStore: RelyingPartyStore {
    let database: SQLiteDatabase

    func save(_ relyingParty: RelyingParty) async throws {
        try await database.write("save a relying party") { db in
            try db.execute(sql: """
                INSERT INTO relying_parties (id, json) VALUES (?, ?)
                ON CONFLICT(id) DO UPDATE SET json = excluded.json
                """, arguments: [relyingParty.id, JSONColumn.encode(relyingParty)])
        }
    }

    func find(id: String) async throws -> RelyingParty? {
        try await database.read("read a relying party") { db in
            try db.fetchJSON(RelyingParty.self, "SELECT json FROM relying_parties WHERE id = ?", [id])
        }
    }

    /// Every registration, ordered by id.
    func list() async throws -> [RelyingParty] {
        try await database.read("list relying parties") { db in
            try db.fetchAllJSON(RelyingParty.self, "SELECT json FROM relying_parties ORDER BY id")
        }
    }

    /// Compare and replace in one transaction.
    func replace(_ relyingParty: RelyingParty, expectedVersion: Int) async throws {
        try await database.write("change a relying party") { db in
            guard let stored = try db.fetchJSON(RelyingParty.self, "SELECT json FROM relying_parties WHERE id = ?", [relyingParty.id]) else {
                throw StoreError.notFound
            }
            guard stored.version == expectedVersion else { throw StoreError.duplicate }
            try db.execute(sql: "UPDATE relying_parties SET json = ? WHERE id = ?", arguments: [JSONColumn.encode(relyingParty), relyingParty.id])
        }
    }

    func remove(id: String) async throws -> Bool {
        try await database.write("remove a relying party") { db in
            try db.execute(sql: "DELETE FROM relying_parties WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }
}
