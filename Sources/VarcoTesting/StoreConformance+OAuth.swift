import Foundation
import VarcoCore

extension StoreConformance {
    /// The OAuth grant store's behaviours, part of `checks`.
    static let oauthChecks: [Check] = [
        Check("oauth: grant and code round trip, revocation", oauthGrantRoundTrip),
        Check("oauth: a code is redeemed once, then replayed", oauthCodeOnce),
        Check("oauth: of 20 concurrent code redemptions exactly one wins", oauthCodeConcurrent),
        Check("oauth: refresh tokens rotate once and die with their grant", oauthRefreshTokens),
        Check("oauth: deleteExpired removes grants, codes and tokens", oauthExpiry),
    ]

    static func oauthGrant(_ id: String, expires: Date = Fixture.at(3600)) -> OAuthGrant {
        OAuthGrant(id: id, clientID: "client-1", citizen: Fixture.rossi, scopes: ["openid", "profile"], level: .spidL2,
                   method: .otpApp, authTime: Fixture.at(0), sessionID: "sid-1", nonce: "n-0S6", created: Fixture.at(0), expires: expires)
    }

    static func oauthCode(_ hash: String, grant: String, expires: Date = Fixture.at(60)) -> OAuthCode {
        OAuthCode(hash: hash, grantID: grant, clientID: "client-1", redirectURI: "https://rp.example.it/cb",
                  codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", expires: expires)
    }

    static func oauthGrantRoundTrip(_ stores: Stores) async throws {
        let grant = oauthGrant("g-1")
        try await stores.oauthGrants.insert(grant, code: oauthCode("c-1", grant: "g-1"))
        try await expectEqual(stores.oauthGrants.grant(id: "g-1"), grant, "found grant")
        try await expectEqual(stores.oauthGrants.grant(id: "g-unknown"), nil, "unknown grant")
        try await expectThrows(StoreError.duplicate, "second grant with the same id") {
            try await stores.oauthGrants.insert(grant, code: oauthCode("c-2", grant: "g-1"))
        }
        try await stores.oauthGrants.revokeGrant(id: "g-1")
        try await expectEqual(stores.oauthGrants.grant(id: "g-1")?.revoked, true, "revoked grant")
        try await stores.oauthGrants.revokeGrant(id: "g-unknown")
    }

    static func oauthCodeOnce(_ stores: Stores) async throws {
        let code = oauthCode("c-1", grant: "g-1")
        try await stores.oauthGrants.insert(oauthGrant("g-1"), code: code)
        try await expectEqual(stores.oauthGrants.redeemCode(hash: "c-1"), .redeemed(code), "first redemption")
        try await expectEqual(stores.oauthGrants.redeemCode(hash: "c-1"), .replayed(code), "second redemption")
        try await expectEqual(stores.oauthGrants.redeemCode(hash: "c-unknown"), .unknown, "unknown code")
    }

    static func oauthCodeConcurrent(_ stores: Stores) async throws {
        try await stores.oauthGrants.insert(oauthGrant("g-1"), code: oauthCode("c-1", grant: "g-1"))
        let wins = Counter()
        try await concurrently(20) { _ in
            if case .redeemed = try await stores.oauthGrants.redeemCode(hash: "c-1") { await wins.increment() }
        }
        try await expectEqual(await wins.value, 1, "concurrent code redemptions won")
    }

    static func oauthRefreshTokens(_ stores: Stores) async throws {
        try await stores.oauthGrants.insert(oauthGrant("g-1"), code: oauthCode("c-1", grant: "g-1"))
        let first = OAuthRefreshToken(hash: "r-1", grantID: "g-1", clientID: "client-1", expires: Fixture.at(7200))
        let second = OAuthRefreshToken(hash: "r-2", grantID: "g-1", clientID: "client-1", expires: Fixture.at(7200))
        try await stores.oauthGrants.insert(first)
        try await expectThrows(StoreError.duplicate, "second refresh token with the same hash") { try await stores.oauthGrants.insert(first) }
        try await expectEqual(stores.oauthGrants.findRefreshToken(hash: "r-1"), first, "unused refresh token")
        try await expectEqual(stores.oauthGrants.redeemRefreshToken(hash: "r-1"), .redeemed(first), "first rotation")
        try await expectEqual(stores.oauthGrants.findRefreshToken(hash: "r-1"), nil, "used refresh token")
        try await expectEqual(stores.oauthGrants.redeemRefreshToken(hash: "r-1"), .replayed(first), "reuse")
        try await stores.oauthGrants.insert(second)
        try await stores.oauthGrants.revokeGrant(id: "g-1")
        try await expectEqual(stores.oauthGrants.findRefreshToken(hash: "r-2"), nil, "token of a revoked grant")
        try await expectEqual(stores.oauthGrants.redeemRefreshToken(hash: "r-2"), .replayed(second), "token of a revoked grant redeemed")
    }

    static func oauthExpiry(_ stores: Stores) async throws {
        try await stores.oauthGrants.insert(oauthGrant("g-old", expires: Fixture.at(10)), code: oauthCode("c-old", grant: "g-old", expires: Fixture.at(10)))
        try await stores.oauthGrants.insert(oauthGrant("g-new"), code: oauthCode("c-new", grant: "g-new"))
        try await expectEqual(stores.oauthGrants.deleteExpired(before: Fixture.at(30)), 2, "rows deleted")
        try await expectEqual(stores.oauthGrants.grant(id: "g-old"), nil, "expired grant")
        try await expectEqual(stores.oauthGrants.redeemCode(hash: "c-old"), .unknown, "expired code")
        try await expectEqual(stores.oauthGrants.grant(id: "g-new") != nil, true, "live grant")
    }

    actor Counter {
        private(set) var value = 0
        func increment() { value += 1 }
    }
}
