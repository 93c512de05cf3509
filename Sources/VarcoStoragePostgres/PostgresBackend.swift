import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization
import VarcoCore

/// The connection pools every store shares: one pool per host of the connection string, of which only the
/// server that accepts writes is used. After a lost connection or a read-only answer the next operation looks
/// for the read-write server again (a promoted standby), so a database failover needs no restart.
///
/// Every operation has a deadline (`operation_timeout`): a database that does not answer makes the request fail
/// with `StoreError.unavailable` instead of hanging. This is the one place where errors become `StoreError`s.
final class PostgresBackend: Sendable {
    let settings: PostgresSettings
    let logger: Logger
    private let clients: [PostgresClient]
    private let probeTLS: PostgresConnection.Configuration.TLS
    private let state = Mutex(State())

    private struct State {
        var primary: Int?
        var discovery: Task<Int?, Never>?
        var lastProblem = "not tried yet"
    }

    init(settings: PostgresSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if settings.tls != .verifyFull { tlsConfiguration.certificateVerification = .none }
        let clientTLS: PostgresClient.Configuration.TLS
        switch settings.tls {
        case .disable:
            clientTLS = .disable
            probeTLS = .disable
        case .prefer:
            clientTLS = .prefer(tlsConfiguration)
            probeTLS = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
        case .require, .verifyFull:
            clientTLS = .require(tlsConfiguration)
            probeTLS = .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
        clients = settings.hosts.map { host in
            var configuration = PostgresClient.Configuration(host: host.name, port: host.port, username: settings.username,
                                                             password: settings.password, database: settings.database, tls: clientTLS)
            configuration.options.maximumConnections = settings.poolSize
            configuration.options.connectTimeout = settings.connectTimeout
            configuration.options.additionalStartupParameters = [("application_name", settings.applicationName)]
            return PostgresClient(configuration: configuration, backgroundLogger: logger)
        }
    }

    /// Keeps the pools running; returns (closing every connection) when the task is cancelled or at graceful shutdown.
    func run() async {
        await withDiscardingTaskGroup { group in
            for client in clients { group.addTask { await client.run() } }
        }
    }

    // MARK: Operations

    /// Runs `body` on a connection to the read-write server, outside any explicit transaction (each statement
    /// commits by itself). `action` says what was attempted, for error messages. Without `deadline` the operation
    /// may take as long as it needs (a background job holding a lock).
    func run<T: Sendable>(_ action: String, deadline: Bool = true,
                          _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let index = try await primary(action)
        do {
            if !deadline { return try await clients[index].withConnection { connection in try await body(connection) } }
            return try await withDeadline { [clients] in
                try await clients[index].withConnection { connection in try await body(connection) }
            }
        } catch {
            throw translate(error, action: action, host: index)
        }
    }

    /// Runs `body` inside one transaction (READ COMMITTED), committed if it returns, rolled back if it throws.
    func transaction<T: Sendable>(_ action: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await run(action) { [logger] connection in
            try await connection.exec("BEGIN", logger)
            let value: T
            do {
                value = try await body(connection)
            } catch {
                do { try await connection.exec("ROLLBACK", logger) } catch { try? await connection.close() }
                throw error
            }
            try await connection.exec("COMMIT", logger)
            return value
        }
    }

    private func withDeadline<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = settings.operationTimeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask { try await Task.sleep(for: timeout); return nil }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw DeadlinePassed() }
            return value
        }
    }

    struct DeadlinePassed: Error {}

    // MARK: Finding the read-write server

    /// The index of the server that accepts writes; looks for it (once, shared by concurrent callers) if unknown.
    private func primary(_ action: String) async throws -> Int {
        enum Next { case known(Int), wait(Task<Int?, Never>) }
        let next: Next = state.withLock { state in
            if let primary = state.primary { return .known(primary) }
            if let discovery = state.discovery { return .wait(discovery) }
            let discovery = Task { await self.discover() }
            state.discovery = discovery
            return .wait(discovery)
        }
        switch next {
        case .known(let index):
            return index
        case .wait(let discovery):
            if let index = await discovery.value { return index }
            let problem = state.withLock { $0.lastProblem }
            throw StoreError.unavailable("PostgreSQL: cannot \(action): \(problem)")
        }
    }

    /// Asks each host in turn whether it accepts writes; the first that does becomes the primary.
    private func discover() async -> Int? {
        var problems: [String] = []
        var found: Int?
        for (index, host) in settings.hosts.enumerated() {
            do {
                if try await acceptsWrites(host) { found = index; break }
                problems.append("\(host) is read-only (a standby)")
            } catch {
                problems.append("\(host): \(Self.describe(error))")
            }
        }
        let summary = problems.isEmpty ? "" : problems.joined(separator: "; ")
        let previous = state.withLock { state in
            let previous = state.primary
            state.primary = found
            state.discovery = nil
            state.lastProblem = "no server of \(settings.redacted) accepts writes (\(summary)). "
                + "Check that PostgreSQL runs, that the address, user, password and database are right, "
                + "and after a failover that a standby was promoted."
            return previous
        }
        if let found, previous != found {
            logger.notice("PostgreSQL: writing to \(settings.hosts[found])", metadata: summary.isEmpty ? [:] : ["skipped": "\(summary)"])
        }
        return found
    }

    private func acceptsWrites(_ host: PostgresSettings.Host) async throws -> Bool {
        var configuration = PostgresConnection.Configuration(host: host.name, port: host.port, username: settings.username,
                                                             password: settings.password, database: settings.database, tls: probeTLS)
        configuration.options.connectTimeout = TimeAmount(settings.connectTimeout)
        configuration.options.additionalStartupParameters = [("application_name", settings.applicationName)]
        let connection = try await withDeadline { [logger, configuration] in
            try await PostgresConnection.connect(on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration,
                                                 id: 0, logger: logger)
        }
        do {
            let writable = try await connection.fetchBool(
                "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'", logger) ?? false
            try? await connection.close()
            return writable
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Forgets the primary after a failure that may mean it is gone or was demoted.
    func forget(_ index: Int) {
        state.withLock { state in if state.primary == index { state.primary = nil } }
    }
}

/// Carries an error thrown by a caller's closure out of the transaction, so that it reaches
/// the caller unchanged instead of being taken for a database failure.
struct CallerError: Error {
    let underlying: any Error
}

extension PostgresConnection {
    /// Runs a statement and reads its answer to the end.
    func exec(_ query: PostgresQuery, _ logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
