import Foundation
import VarcoCore

extension StoreConformance {
    /// The stores of login through SPID and CIE: pending upstream requests and the response archive.
    public static let upstreamChecks: [Check] = [
        Check("upstream requests: take returns a request once", upstreamTakeOnce),
        Check("upstream requests: expired ones are never taken, and are purged", upstreamExpired),
        Check("upstream requests: of 10 concurrent takes exactly one wins", upstreamConcurrentTake),
        Check("upstream responses: append, newest first, purge by age", upstreamArchive),
        Check("sessions: the upstream login is kept; records without it still decode", sessionUpstream),
    ]

    static func pendingRequest(_ id: String, expires: Date) -> PendingUpstreamRequest {
        PendingUpstreamRequest(id: id, kind: .spid, identityProvider: "https://idp.example.it", issueInstant: Fixture.at(0),
                               requestedLevel: .spidL2, comparison: "minimum", relayState: "relay-\(id)", browserBinding: "browser",
                               loginTransaction: "t-1", expires: expires)
    }

    static func upstreamTakeOnce(_ stores: Stores) async throws {
        let request = pendingRequest("_r1", expires: Fixture.at(900))
        try await stores.upstream.pending.insert(request)
        try await expectEqual(try await stores.upstream.pending.take(id: "_r1", now: Fixture.at(10)), request, "first take")
        try await expectEqual(try await stores.upstream.pending.take(id: "_r1", now: Fixture.at(11)), nil, "second take")
        try await expectEqual(try await stores.upstream.pending.take(id: "_unknown", now: Fixture.at(11)), nil, "unknown id")
    }

    static func upstreamExpired(_ stores: Stores) async throws {
        try await stores.upstream.pending.insert(pendingRequest("_old", expires: Fixture.at(100)))
        try await stores.upstream.pending.insert(pendingRequest("_new", expires: Fixture.at(1000)))
        try await stores.upstream.pending.insert(pendingRequest("_late", expires: Fixture.at(100)))
        try await expectEqual(try await stores.upstream.pending.take(id: "_old", now: Fixture.at(100)), nil, "expired take")
        try await expectEqual(try await stores.upstream.pending.deleteExpired(before: Fixture.at(500)), 1, "purged")
        try await expectEqual(try await stores.upstream.pending.take(id: "_new", now: Fixture.at(500))?.id, "_new", "live one kept")
    }

    static func upstreamConcurrentTake(_ stores: Stores) async throws {
        try await stores.upstream.pending.insert(pendingRequest("_c", expires: Fixture.at(900)))
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 { group.addTask { try await stores.upstream.pending.take(id: "_c", now: Fixture.at(1)) != nil } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        try expectEqual(wins, 1, "winning takes")
    }

    static func upstreamArchive(_ stores: Stores) async throws {
        for (index, outcome) in ["accepted", "signature: bad", "time: expired"].enumerated() {
            try await stores.upstream.archive.append(ArchivedUpstreamResponse(
                received: Fixture.at(Double(index) * 100), kind: .spid, identityProvider: "https://idp.example.it",
                inResponseTo: "_r\(index)", subject: index == 0 ? Fixture.rossi.value : nil, outcome: outcome,
                responseBase64: "PFJlc3BvbnNlLz4=", clientAddress: "127.0.0.1"))
        }
        try await expectEqual(try await stores.upstream.archive.recent(limit: 2).map(\.outcome), ["time: expired", "signature: bad"], "newest first")
        try await expectEqual(try await stores.upstream.archive.deleteOlder(than: Fixture.at(150)), 2, "purged")
        try await expectEqual(try await stores.upstream.archive.recent(limit: 10).map(\.inResponseTo), ["_r2"], "kept")
    }

    static func sessionUpstream(_ stores: Stores) async throws {
        let upstream = UpstreamLogin(kind: .spid, identityProvider: "https://idp.example.it", nameID: "_n", nameIDFormat: "transient",
                                     nameQualifier: "https://idp.example.it", sessionIndex: "_si")
        let result = AuthnResult(citizen: Fixture.rossi, level: .spidL2, method: .spid, instant: Fixture.at(0), upstream: upstream)
        try await stores.sessions.insert(SSOSession(id: "s-up", result: result, now: Fixture.at(0)))
        try await expectEqual(try await stores.sessions.find(id: "s-up")?.upstream, upstream, "upstream login")
        let local = AuthnResult(citizen: Fixture.rossi, level: .spidL2, method: .otpApp, instant: Fixture.at(0))
        let old = try JSONDecoder().decode(SSOSession.self, from: try JSONEncoder().encode(SSOSession(id: "s-old", result: local, now: Fixture.at(0))))
        try expectEqual(old.upstream, nil, "a session without upstream")
    }
}
