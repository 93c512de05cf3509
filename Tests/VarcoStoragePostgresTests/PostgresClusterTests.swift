import Foundation
import NIOPosix
import PostgresNIO
import Testing
import VarcoCore
@testable import VarcoStoragePostgres
import VarcoTesting

/// What several nodes on one database rely on: migrations run once, single-use values and counters stay exact
/// across nodes, the read-write host is found among several, and an unreachable database fails fast and clearly.
@Suite(.enabled(if: TestDatabase.available, "VARCO_TEST_POSTGRES_URL names no PostgreSQL server"))
struct PostgresClusterTests {
    @Test("two nodes migrating an empty database at once: every step applied exactly once")
    func concurrentMigrations() async throws {
        try await TestDatabase.withDatabase { name in
            let first = try PostgresStorage(settings: TestDatabase.settings(database: name), logger: TestDatabase.logger)
            let second = try PostgresStorage(settings: TestDatabase.settings(database: name), logger: TestDatabase.logger)
            try await TestDatabase.withRunning(first) { first in
                try await TestDatabase.withRunning(second) { second in
                    async let a = first.migrate()
                    async let b = second.migrate()
                    let (appliedByFirst, appliedBySecond) = try await (a, b)
                    #expect(Set(appliedByFirst).isDisjoint(with: appliedBySecond))
                    #expect((appliedByFirst + appliedBySecond).sorted() == PostgresStorage.migrationNames.sorted())
                    #expect(try await first.appliedMigrations() == Set(PostgresStorage.migrationNames))
                    #expect(try await second.migrate() == [])
                }
            }
        }
    }

    @Test("a node migrating while another holds the migration lock waits for it, then finds nothing to do")
    func migrationWaitsForTheLock() async throws {
        try await TestDatabase.withDatabase { name in
            let storage = try PostgresStorage(settings: TestDatabase.settings(database: name), logger: TestDatabase.logger)
            try await TestDatabase.withRunning(storage) { storage in
                try await TestDatabase.withAdminConnection(database: name) { holder in
                    try await holder.query("SELECT pg_advisory_lock(\(PostgresMigrations.lockKey))", logger: TestDatabase.logger).collect()
                    let waiting = Task { try await storage.migrate() }
                    // The migrator is queued behind the lock: PostgreSQL shows its request as not granted.
                    try await poll("the migrator waits for the lock") {
                        let rows = try await holder.query("""
                            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                            """, logger: TestDatabase.logger).collect()
                        return try rows.first?.decode(Int.self) == 1
                    }
                    let tables = try await holder.query("""
                        SELECT count(*) FROM information_schema.tables WHERE table_name = 'sessions'
                        """, logger: TestDatabase.logger).collect()
                    #expect(try tables.first?.decode(Int.self) == 0, "nothing migrated while the lock is held")
                    try await holder.query("SELECT pg_advisory_unlock(\(PostgresMigrations.lockKey))", logger: TestDatabase.logger).collect()
                    #expect(try await waiting.value == PostgresStorage.migrationNames)
                }
            }
        }
    }

    @Test("single-use keys, codes and counters are exact across two nodes")
    func twoNodesShareSingleUseValues() async throws {
        try await TestDatabase.withDatabase { name in
            let nodeA = try PostgresStorage(settings: TestDatabase.settings(database: name), logger: TestDatabase.logger)
            let nodeB = try PostgresStorage(settings: TestDatabase.settings(database: name), logger: TestDatabase.logger)
            try await TestDatabase.withRunning(nodeA) { nodeA in
                try await TestDatabase.withRunning(nodeB) { nodeB in
                    try await nodeA.migrate()
                    let nodes = [nodeA.stores, nodeB.stores]
                    let now = Date(timeIntervalSince1970: 1_790_000_000)
                    let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                        for index in 0..<20 {
                            group.addTask { try await nodes[index % 2].replay.consume("request-1", expires: now + 300, now: now) }
                        }
                        return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                    }
                    #expect(wins == 1)
                    let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                        for index in 0..<20 {
                            group.addTask { try await nodes[index % 2].otp.counters.increment("sms:+39333", windowEnd: now + 60, now: now) }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    #expect(counts.sorted() == Array(1...20), "every increment counted once")
                }
            }
        }
    }

    @Test("the read-write server is found after a host that does not answer")
    func skipsAnUnreachableHost() async throws {
        try await TestDatabase.withDatabase { name in
            var settings = try TestDatabase.settings(database: name)
            settings.hosts.insert(.init(name: "127.0.0.1", port: try await closedPort()), at: 0)
            try await TestDatabase.withRunning(try PostgresStorage(settings: settings, logger: TestDatabase.logger)) { storage in
                try await storage.migrate()
                #expect(try await storage.stores.replay.consume("k", expires: .distantFuture, now: .now))
            }
        }
    }

    @Test("connections cut and a read-only server: StoreError.unavailable, then back to work without a restart")
    func readOnlyAfterFailover() async throws {
        try await TestDatabase.withDatabase { name in
            try await TestDatabase.withRunning(try PostgresStorage(settings: TestDatabase.settings(database: name), logger: TestDatabase.logger)) { storage in
                try await storage.migrate()
                let replay = storage.stores.replay
                let now = Date(timeIntervalSince1970: 1_790_000_000)
                #expect(try await replay.consume("before", expires: now + 60, now: now))

                // The server becomes read-only (as a demoted primary would) and drops every connection.
                try await TestDatabase.admin("ALTER DATABASE \(name) SET default_transaction_read_only = on")
                try await Self.terminateConnections(to: name)
                try await poll("the read-only server is refused") {
                    do {
                        _ = try await replay.consume("during", expires: now + 60, now: now)
                        return false
                    } catch StoreError.unavailable(let message) {
                        return message.contains("read-only")
                    }
                }

                // Writable again: the same storage finds it by itself.
                try await TestDatabase.admin("ALTER DATABASE \(name) RESET default_transaction_read_only")
                try await Self.terminateConnections(to: name)
                try await poll("writes work again") {
                    (try? await replay.consume("after", expires: now + 60, now: now)) == true
                }
                #expect(try await replay.consume("before", expires: now + 60, now: now) == false, "what was written stays")
            }
        }
    }

    static func terminateConnections(to database: String) async throws {
        try await TestDatabase.admin("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)' AND pid <> pg_backend_pid()
            """)
    }

    @Test("no reachable server: operations fail with StoreError.unavailable naming the hosts, within the deadline")
    func unreachable() async throws {
        var settings = try TestDatabase.settings(database: "varco")
        settings.hosts = [.init(name: "127.0.0.1", port: try await closedPort())]
        settings.operationTimeout = .seconds(2)
        try await TestDatabase.withRunning(try PostgresStorage(settings: settings, logger: TestDatabase.logger)) { storage in
            do {
                _ = try await storage.stores.sessions.find(id: "s")
                Issue.record("expected StoreError.unavailable")
            } catch StoreError.unavailable(let message) {
                #expect(message.contains("127.0.0.1"))
                #expect(message.contains("accepts writes"))
            }
        }
    }
}

/// A loopback port with nothing listening: bound by a server that is closed at once.
func closedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = try #require(channel.localAddress?.port)
    try await channel.close()
    return port
}

/// Polls `condition` until it holds, failing after `timeout`: a deadline for a condition, not a sleep.
func poll(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw PollTimeout(what: what) }
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct PollTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "gave up waiting: \(what)" }
}
