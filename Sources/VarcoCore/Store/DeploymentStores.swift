import Foundation

/// Facts every node of a deployment must agree on, recorded once in the shared store: the fingerprint of the
/// signing key set, so that a node started with other keys is refused instead of signing with them.
public protocol DeploymentRecordStore: Sendable {
    /// Records `value` under `name` unless something is recorded already, and returns what is recorded now
    /// (`value` the first time). Atomic across concurrent callers and nodes.
    func record(_ name: String, ifAbsent value: String, now: Date) async throws -> String
    /// Replaces what is recorded under `name`: an operator's deliberate change, such as a key rollover.
    func replace(_ name: String, with value: String, now: Date) async throws
}

/// Background jobs that run on one node at a time (cleanup of expired rows, metadata refresh).
public protocol JobLock: Sendable {
    /// Runs `body` and returns true if no other node (or task) runs the job `name` now; returns false at once,
    /// without running it, otherwise.
    func runExclusively(_ name: String, _ body: @Sendable () async throws -> Void) async throws -> Bool
}

/// The job lock of a backend that only one process uses (SQLite): exclusive among the tasks of this process.
public actor ProcessJobLock: JobLock {
    private var running: Set<String> = []
    public init() {}

    public func runExclusively(_ name: String, _ body: @Sendable () async throws -> Void) async throws -> Bool {
        guard running.insert(name).inserted else { return false }
        defer { running.remove(name) }
        try await body()
        return true
    }
}

/// Deployment records kept by this process only: for stores that live in memory (tests, tools).
public actor ProcessDeploymentRecords: DeploymentRecordStore {
    private var records: [String: String] = [:]
    public init() {}

    public func record(_ name: String, ifAbsent value: String, now: Date) -> String {
        if let recorded = records[name] { return recorded }
        records[name] = value
        return value
    }

    public func replace(_ name: String, with value: String, now: Date) { records[name] = value }
}
