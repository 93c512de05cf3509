import Foundation
import Logging
import PostgresNIO
import VarcoCore

/// OIDC grants in `oauth_grants`, codes in `oauth_codes`, refresh tokens in `oauth_refresh_tokens`.
struct PostgresOAuthGrantStore: OAuthGrantStore {
    let backend: PostgresBackend

    func insert(_ grant: OAuthGrant, code: OAuthCode) async throws {
        let grantJSON = try JSONColumn.encode(grant), codeJSON = try JSONColumn.encode(code)
        try await backend.transaction("insert an OAuth grant") { [logger = backend.logger] db in
            let grantInserted = try await db.fetchInt("""
                INSERT INTO oauth_grants (id, expires, json) VALUES (\(grant.id), \(grant.expires.storedSeconds), \(grantJSON)::jsonb)
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger)
            if grantInserted == nil { throw StoreError.duplicate }
            let codeInserted = try await db.fetchInt("""
                INSERT INTO oauth_codes (hash, grant_id, expires, json)
                VALUES (\(code.hash), \(code.grantID), \(code.expires.storedSeconds), \(codeJSON)::jsonb)
                ON CONFLICT (hash) DO NOTHING RETURNING 1
                """, logger)
            if codeInserted == nil { throw StoreError.duplicate }
        }
    }

    func grant(id: String) async throws -> OAuthGrant? {
        try await backend.run("read an OAuth grant") { [logger = backend.logger] db in
            try await db.fetchJSON(OAuthGrant.self, "SELECT json::text FROM oauth_grants WHERE id = \(id)", logger)
        }
    }

    /// The grant and every refresh token issued from it, in one transaction.
    func revokeGrant(id: String) async throws {
        try await backend.transaction("revoke an OAuth grant") { [logger = backend.logger] db in
            try await db.exec("""
                UPDATE oauth_grants SET json = jsonb_set(json, '{revoked}', 'true') WHERE id = \(id)
                """, logger)
            try await db.exec("UPDATE oauth_refresh_tokens SET used = true WHERE grant_id = \(id)", logger)
        }
    }

    func redeemCode(hash: String) async throws -> OAuthRedemption<OAuthCode> {
        try await redeem(OAuthCode.self, table: "oauth_codes", hash: hash, action: "redeem an authorization code")
    }

    func insert(_ refreshToken: OAuthRefreshToken) async throws {
        let json = try JSONColumn.encode(refreshToken)
        let inserted = try await backend.run("insert a refresh token") { [logger = backend.logger] db in
            try await db.fetchInt("""
                INSERT INTO oauth_refresh_tokens (hash, grant_id, expires, json)
                VALUES (\(refreshToken.hash), \(refreshToken.grantID), \(refreshToken.expires.storedSeconds), \(json)::jsonb)
                ON CONFLICT (hash) DO NOTHING RETURNING 1
                """, logger)
        }
        if inserted == nil { throw StoreError.duplicate }
    }

    func redeemRefreshToken(hash: String) async throws -> OAuthRedemption<OAuthRefreshToken> {
        try await redeem(OAuthRefreshToken.self, table: "oauth_refresh_tokens", hash: hash, action: "redeem a refresh token")
    }

    func findRefreshToken(hash: String) async throws -> OAuthRefreshToken? {
        try await backend.run("read a refresh token") { [logger = backend.logger] db in
            try await db.fetchJSON(OAuthRefreshToken.self, "SELECT json::text FROM oauth_refresh_tokens WHERE hash = \(hash) AND NOT used", logger)
        }
    }

    func deleteExpired(before cutoff: Date) async throws -> Int {
        try await backend.run("delete expired OAuth grants") { [logger = backend.logger] db in
            try await db.fetchInt("""
                WITH codes AS (DELETE FROM oauth_codes WHERE expires < \(cutoff.storedSeconds) RETURNING 1),
                     tokens AS (DELETE FROM oauth_refresh_tokens WHERE expires < \(cutoff.storedSeconds) RETURNING 1),
                     grants AS (DELETE FROM oauth_grants WHERE expires < \(cutoff.storedSeconds) RETURNING 1)
                SELECT (SELECT count(*) FROM codes) + (SELECT count(*) FROM tokens) + (SELECT count(*) FROM grants)
                """, logger) ?? 0
        }
    }

    /// One UPDATE decides who redeems, on every node at once: only the statement that flips `used` returns the row.
    private func redeem<T: Codable & Sendable & Equatable>(_ type: T.Type, table: String, hash: String,
                                                          action: String) async throws -> OAuthRedemption<T> {
        try await backend.run(action) { [logger = backend.logger] db in
            if let value = try await db.fetchJSON(T.self, """
                UPDATE \(unescaped: table) SET used = true WHERE hash = \(hash) AND NOT used RETURNING json::text
                """, logger) {
                return .redeemed(value)
            }
            guard let value = try await db.fetchJSON(T.self, "SELECT json::text FROM \(unescaped: table) WHERE hash = \(hash)", logger) else {
                return .unknown
            }
            return .replayed(value)
        }
    }
}
