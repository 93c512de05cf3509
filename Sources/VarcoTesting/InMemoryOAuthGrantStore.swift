import Foundation
import VarcoCore

/// In-memory OAuth grants, for tests of protocol code without a database.
public actor InMemoryOAuthGrantStore: OAuthGrantStore {
    private var grants: [String: OAuthGrant] = [:]
    private var codes: [String: (code: OAuthCode, used: Bool)] = [:]
    private var refreshTokens: [String: (token: OAuthRefreshToken, used: Bool)] = [:]

    public init() {}

    public func insert(_ grant: OAuthGrant, code: OAuthCode) throws {
        guard grants[grant.id] == nil, codes[code.hash] == nil else { throw StoreError.duplicate }
        grants[grant.id] = grant
        codes[code.hash] = (code, false)
    }

    public func grant(id: String) -> OAuthGrant? { grants[id] }

    public func revokeGrant(id: String) {
        grants[id]?.revoked = true
        for (hash, entry) in refreshTokens where entry.token.grantID == id { refreshTokens[hash]?.used = true }
    }

    public func redeemCode(hash: String) -> OAuthRedemption<OAuthCode> {
        guard let entry = codes[hash] else { return .unknown }
        codes[hash]?.used = true
        return entry.used ? .replayed(entry.code) : .redeemed(entry.code)
    }

    public func insert(_ refreshToken: OAuthRefreshToken) throws {
        guard refreshTokens[refreshToken.hash] == nil else { throw StoreError.duplicate }
        refreshTokens[refreshToken.hash] = (refreshToken, false)
    }

    public func redeemRefreshToken(hash: String) -> OAuthRedemption<OAuthRefreshToken> {
        guard let entry = refreshTokens[hash] else { return .unknown }
        refreshTokens[hash]?.used = true
        return entry.used ? .replayed(entry.token) : .redeemed(entry.token)
    }

    public func findRefreshToken(hash: String) -> OAuthRefreshToken? {
        refreshTokens[hash].flatMap { $0.used ? nil : $0.token }
    }

    public func deleteExpired(before cutoff: Date) -> Int {
        let before = grants.count + codes.count + refreshTokens.count
        grants = grants.filter { $0.value.expires >= cutoff }
        codes = codes.filter { $0.value.code.expires >= cutoff }
        refreshTokens = refreshTokens.filter { $0.value.token.expires >= cutoff }
        return before - grants.count - codes.count - refreshTokens.count
    }
}
