import Foundation
import GRDB
import VarcoCore

/// Role grants in `admin_role_grants`, API tokens in `admin_api_tokens`.
struct SQLiteAdministrationStore: AdministrationStore {
    let database: SQLiteDatabase

    func grant(_ grant: RoleGrant) async throws -> Bool {
        try await database.write("grant an administration role") { db in
            try db.execute(sql: "INSERT OR IGNORE INTO admin_role_grants (cf, role, json) VALUES (?, ?, ?)",
                           arguments: [grant.codiceFiscale.value, grant.role.rawValue, JSONColumn.encode(grant)])
            return db.changesCount > 0
        }
    }

    func revoke(_ codiceFiscale: CodiceFiscale, role: AdminRole) async throws -> Bool {
        try await database.write("revoke an administration role") { db in
            try db.execute(sql: "DELETE FROM admin_role_grants WHERE cf = ? AND role = ?", arguments: [codiceFiscale.value, role.rawValue])
            return db.changesCount > 0
        }
    }

    func roles(of codiceFiscale: CodiceFiscale) async throws -> Set<AdminRole> {
        try await database.read("read administration roles") { db in
            Set(try String.fetchAll(db, sql: "SELECT role FROM admin_role_grants WHERE cf = ?", arguments: [codiceFiscale.value])
                .compactMap(AdminRole.init(rawValue:)))
        }
    }

    func grants() async throws -> [RoleGrant] {
        try await database.read("list administration roles") { db in
            try db.fetchAllJSON(RoleGrant.self, "SELECT json FROM admin_role_grants ORDER BY cf, role")
        }
    }

    func insert(_ token: APIToken) async throws {
        try await database.write("add an API token") { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM admin_api_tokens WHERE id = ? OR token_hash = ?",
                                   arguments: [token.id, token.tokenHash]) == 0 else { throw StoreError.duplicate }
            try db.execute(sql: "INSERT INTO admin_api_tokens (id, token_hash, created, json) VALUES (?, ?, ?, ?)",
                           arguments: [token.id, token.tokenHash, token.created.storedSeconds, JSONColumn.encode(token)])
        }
    }

    func findToken(hash: String) async throws -> APIToken? {
        try await database.read("read an API token") { db in
            try db.fetchJSON(APIToken.self, "SELECT json FROM admin_api_tokens WHERE token_hash = ?", [hash])
        }
    }

    func tokens() async throws -> [APIToken] {
        try await database.read("list API tokens") { db in
            try db.fetchAllJSON(APIToken.self, "SELECT json FROM admin_api_tokens ORDER BY created DESC, id")
        }
    }

    func revokeToken(id: String, at: Date) async throws -> Bool {
        try await database.write("revoke an API token") { db in
            guard var token = try db.fetchJSON(APIToken.self, "SELECT json FROM admin_api_tokens WHERE id = ?", [id]),
                  token.revoked == nil else { return false }
            token.revoked = at
            try db.execute(sql: "UPDATE admin_api_tokens SET json = ? WHERE id = ?", arguments: [JSONColumn.encode(token), id])
            return true
        }
    }
}
