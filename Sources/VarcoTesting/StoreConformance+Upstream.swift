import Foundation
import VarcoCore

extension StoreConformance {
    static let upstreamChecks: [Check] = [
        Check("upstream requests: taken once, by one of 10 concurrent callers", upstreamTakeOnce),
        Check("upstream requests: an expired one is never returned, and is swept", upstreamExpiry),
        Check("upstream archive: newest first, purged by age", upstreamArchive),
    ]

    static func upstreamRequest(_ id: String, expires: Date) -> PendingUpstreamRequest {
        PendingUpstreamRequest(id: id, kind: .spid, identityProvider: "https://idp.spid.test", issueInstant: Fixture.at(0),
                               requestedLevel: .spidL2, comparison: "minimum", relayState: "rs-\(id)", browserBinding: "browser-1",
                               loginTransaction: "login-1", expires: expires)
    }

    static func upstreamTakeOnce(_ stores: Stores) async throws {
        let request = upstreamRequest("_u1", expires: Fixture.at(300))
        try await stores.upstream.pending.insert(request)
        try await expectThrows(StoreError.duplicate, "a second insert with the same id") {
            try await stores.upstream.pending.insert(request)
        }
        let taken = Collected()
        try await concurrently(10) { _ in
            if let found = try await stores.upstream.pending.take(id: "_u1", now: Fixture.at(1)) { await taken.add(found.relayState) }
        }
        try await expectEqual(taken.values, ["rs-_u1"], "callers that got the request")
        try await expectEqual(stores.upstream.pending.take(id: "_u1", now: Fixture.at(2)), nil, "after it was taken")
    }

    static func upstreamExpiry(_ stores: Stores) async throws {
        try await stores.upstream.pending.insert(upstreamRequest("_old", expires: Fixture.at(10)))
        try await stores.upstream.pending.insert(upstreamRequest("_new", expires: Fixture.at(1000)))
        try await expectEqual(stores.upstream.pending.take(id: "_old", now: Fixture.at(10)), nil, "taken at its expiry")
        try await stores.upstream.pending.insert(upstreamRequest("_old2", expires: Fixture.at(10)))
        try await expectEqual(stores.upstream.pending.deleteExpired(before: Fixture.at(11)), 1, "expired requests swept")
        try await expectEqual(stores.upstream.pending.take(id: "_new", now: Fixture.at(11))?.id, "_new", "the live one stays")
    }

    static func upstreamArchive(_ stores: Stores) async throws {
        for (index, outcome) in ["accepted", "refused: wrong audience", "accepted"].enumerated() {
            try await stores.upstream.archive.append(ArchivedUpstreamResponse(
                received: Fixture.at(Double(index) * 100), kind: .cie, identityProvider: "https://idp.cie.test", inResponseTo: "_r\(index)",
                subject: outcome == "accepted" ? Fixture.rossi.value : nil, outcome: outcome, responseBase64: "PHNhbWxwOlJlc3BvbnNlLz4=",
                clientAddress: "127.0.0.1"))
        }
        try await expectEqual(stores.upstream.archive.recent(limit: 2).map(\.inResponseTo), ["_r2", "_r1"], "newest first")
        try await expectEqual(stores.upstream.archive.deleteOlder(than: Fixture.at(150)), 2, "entries older than the retention")
        try await expectEqual(stores.upstream.archive.recent(limit: 10).map(\.inResponseTo), ["_r2"], "what is left")
    }
}
