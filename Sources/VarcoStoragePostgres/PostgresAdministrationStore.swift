import Foundation
import VarcoCore

/// Role grants in `admin_role_grants`, API tokens in `admin_api_tokens`. Each call is one statement, so two
/// administrators on two nodes never half-write a grant or a revocation.
struct PostgresAdministrationStore: AdministrationStore {
    let backend: PostgresBackend

    func grant(_ grant: RoleGrant) async throws -> Bool {
        let json = try JSONColumn.encode(grant)
        return try await backend.run("grant an administration role") { [logger = backend.logger] db in
            try await db.fetchInt("""
                INSERT INTO admin_role_grants (cf, role, json) VALUES (\(grant.codiceFiscale.value), \(grant.role.rawValue), \(json)::jsonb)
                ON CONFLICT (cf, role) DO NOTHING RETURNING 1
                """, logger) != nil
        }
    }

    func revoke(_ codiceFiscale: CodiceFiscale, role: AdminRole) async throws -> Bool {
        try await backend.run("revoke an administration role") { [logger = backend.logger] db in
            try await db.fetchInt("""
                DELETE FROM admin_role_grants WHERE cf = \(codiceFiscale.value) AND role = \(role.rawValue) RETURNING 1
                """, logger) != nil
        }
    }

    func roles(of codiceFiscale: CodiceFiscale) async throws -> Set<AdminRole> {
        let grants = try await backend.run("read administration roles") { [logger = backend.logger] db in
            try await db.fetchAllJSON(RoleGrant.self, "SELECT json::text FROM admin_role_grants WHERE cf = \(codiceFiscale.value)", logger)
        }
        return Set(grants.map(\.role))
    }

    func grants() async throws -> [RoleGrant] {
        try await backend.run("list administration roles") { [logger = backend.logger] db in
            try await db.fetchAllJSON(RoleGrant.self, "SELECT json::text FROM admin_role_grants ORDER BY cf COLLATE \"C\", role COLLATE \"C\"", logger)
        }
    }

    func insert(_ token: APIToken) async throws {
        let json = try JSONColumn.encode(token)
        let inserted = try await backend.run("add an API token") { [logger = backend.logger] db in
            try await db.fetchInt("""
                INSERT INTO admin_api_tokens (id, token_hash, created, json)
                VALUES (\(token.id), \(token.tokenHash), \(token.created.storedSeconds), \(json)::jsonb)
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger)
        }
        if inserted == nil { throw StoreError.duplicate }
    }

    func findToken(hash: String) async throws -> APIToken? {
        try await backend.run("read an API token") { [logger = backend.logger] db in
            try await db.fetchJSON(APIToken.self, "SELECT json::text FROM admin_api_tokens WHERE token_hash = \(hash)", logger)
        }
    }

    func tokens() async throws -> [APIToken] {
        try await backend.run("list API tokens") { [logger = backend.logger] db in
            try await db.fetchAllJSON(APIToken.self, "SELECT json::text FROM admin_api_tokens ORDER BY created DESC, id COLLATE \"C\"", logger)
        }
    }

    func revokeToken(id: String, at: Date) async throws -> Bool {
        try await backend.run("revoke an API token") { [logger = backend.logger] db in
            // Only a token not yet revoked changes: the first revocation's time stays.
            try await db.fetchInt("""
                UPDATE admin_api_tokens SET json = jsonb_set(json, '{revoked}', to_jsonb(\(at.storedSeconds)::double precision))
                WHERE id = \(id) AND (json->'revoked' IS NULL OR json->'revoked' = 'null'::jsonb) RETURNING 1
                """, logger) != nil
        }
    }
}
