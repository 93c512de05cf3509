import Foundation
import GRDB
import VarcoCore

/// OIDC grants in `oauth_grants`, codes in `oauth_codes`, refresh tokens in `oauth_refresh_tokens`.
struct SQLiteOAuthGrantStore: OAuthGrantStore {
    let database: SQLiteDatabase

    func insert(_ grant: OAuthGrant, code: OAuthCode) async throws {
        try await database.write("insert an OAuth grant") { db in
            try db.execute(sql: "INSERT INTO oauth_grants (id, expires, json) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING",
                           arguments: [grant.id, grant.expires.storedSeconds, JSONColumn.encode(grant)])
            if db.changesCount == 0 { throw StoreError.duplicate }
            try db.execute(sql: "INSERT INTO oauth_codes (hash, grant_id, expires, json) VALUES (?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING",
                           arguments: [code.hash, code.grantID, code.expires.storedSeconds, JSONColumn.encode(code)])
            if db.changesCount == 0 { throw StoreError.duplicate }
        }
    }

    func grant(id: String) async throws -> OAuthGrant? {
        try await database.read("read an OAuth grant") { db in
            try db.fetchJSON(OAuthGrant.self, "SELECT json FROM oauth_grants WHERE id = ?", [id])
        }
    }

    func revokeGrant(id: String) async throws {
        try await database.write("revoke an OAuth grant") { db in
            guard var grant = try db.fetchJSON(OAuthGrant.self, "SELECT json FROM oauth_grants WHERE id = ?", [id]) else { return }
            grant.revoked = true
            try db.execute(sql: "UPDATE oauth_grants SET json = ? WHERE id = ?", arguments: [JSONColumn.encode(grant), id])
            try db.execute(sql: "UPDATE oauth_refresh_tokens SET used = 1 WHERE grant_id = ?", arguments: [id])
        }
    }

    func redeemCode(hash: String) async throws -> OAuthRedemption<OAuthCode> {
        try await redeem(OAuthCode.self, table: "oauth_codes", hash: hash, action: "redeem an authorization code")
    }

    func insert(_ refreshToken: OAuthRefreshToken) async throws {
        try await database.write("insert a refresh token") { db in
            try db.execute(sql: """
                INSERT INTO oauth_refresh_tokens (hash, grant_id, expires, json) VALUES (?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING
                """, arguments: [refreshToken.hash, refreshToken.grantID, refreshToken.expires.storedSeconds, JSONColumn.encode(refreshToken)])
            if db.changesCount == 0 { throw StoreError.duplicate }
        }
    }

    func redeemRefreshToken(hash: String) async throws -> OAuthRedemption<OAuthRefreshToken> {
        try await redeem(OAuthRefreshToken.self, table: "oauth_refresh_tokens", hash: hash, action: "redeem a refresh token")
    }

    func findRefreshToken(hash: String) async throws -> OAuthRefreshToken? {
        try await database.read("read a refresh token") { db in
            try db.fetchJSON(OAuthRefreshToken.self, "SELECT json FROM oauth_refresh_tokens WHERE hash = ? AND used = 0", [hash])
        }
    }

    func deleteExpired(before cutoff: Date) async throws -> Int {
        try await database.write("delete expired OAuth grants") { db in
            var count = 0
            for table in ["oauth_codes", "oauth_refresh_tokens", "oauth_grants"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE expires < ?", arguments: [cutoff.storedSeconds])
                count += db.changesCount
            }
            return count
        }
    }

    /// One UPDATE decides who redeems: only the statement that flips `used` from 0 to 1 wins.
    private func redeem<T: Codable & Sendable & Equatable>(_ type: T.Type, table: String, hash: String,
                                                          action: String) async throws -> OAuthRedemption<T> {
        try await database.write(action) { db in
            try db.execute(sql: "UPDATE \(table) SET used = 1 WHERE hash = ? AND used = 0", arguments: [hash])
            let first = db.changesCount > 0
            guard let value = try db.fetchJSON(T.self, "SELECT json FROM \(table) WHERE hash = ?", [hash]) else { return .unknown }
            return first ? .redeemed(value) : .replayed(value)
        }
    }
}
