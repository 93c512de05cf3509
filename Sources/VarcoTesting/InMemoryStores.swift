import Foundation
import VarcoCore

/// In-memory relying parties, for tests of protocol code without a database.
public actor InMemoryRelyingPartyStore: RelyingPartyStore {
    private var parties: [String: RelyingParty] = [:]
    public init(_ initial: [RelyingParty] = []) { for party in initial { parties[party.id] = party } }
    public func save(_ relyingParty: RelyingParty) { parties[relyingParty.id] = relyingParty }
    public func find(id: String) -> RelyingParty? { parties[id] }
    public func list() -> [RelyingParty] { parties.values.sorted { $0.id < $1.id } }
    public func remove(id: String) -> Bool { parties.removeValue(forKey: id) != nil }
}

/// In-memory single-use keys.
public actor InMemoryReplayCache: ReplayCache {
    private var keys: [String: Date] = [:]
    public init() {}
    public func consume(_ key: String, expires: Date, now: Date) -> Bool {
        if let until = keys[key], until > now { return false }
        keys[key] = expires
        return true
    }
}
