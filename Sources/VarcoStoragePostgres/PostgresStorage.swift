import Logging
import VarcoCore

/// Varco's cluster storage: every store in one PostgreSQL database shared by all nodes.
///
/// Create it from a connection string, keep `run()` going in a task for as long as the stores are used (it owns
/// the connection pools; cancelling it closes them), call `prepare()` once (it waits for the database and
/// migrates the schema), then hand `stores` to the server.
public final class PostgresStorage: Sendable {
    /// Every store, backed by this database.
    public let stores: Stores
    public let settings: PostgresSettings
    let backend: PostgresBackend

    /// - Throws: `PostgresSettings.Invalid` for a bad connection string, `StoreError.backend` if TLS cannot be set up.
    public convenience init(url: String, logger: Logger) throws {
        try self.init(settings: PostgresSettings(url: url), logger: logger)
    }

    public init(settings: PostgresSettings, logger: Logger) throws {
        self.settings = settings
        do {
            backend = try PostgresBackend(settings: settings, logger: logger)
        } catch {
            throw StoreError.backend("PostgreSQL \(settings.redacted): cannot set up TLS (\(error)).")
        }
        stores = Stores(
            sessions: PostgresSessionStore(backend: backend),
            logins: PostgresLoginTransactionStore(backend: backend),
            relyingParties: PostgresRelyingPartyStore(backend: backend),
            citizens: PostgresCitizenStore(backend: backend),
            otpCredentials: PostgresOTPCredentialStore(backend: backend),
            replay: PostgresReplayCache(backend: backend),
            audit: PostgresAuditLog(backend: backend),
            oauthGrants: PostgresOAuthGrantStore(backend: backend),
            otp: PostgresOTPStores.make(backend),
            upstream: UpstreamStores(pending: PostgresPendingUpstreamRequestStore(backend: backend),
                                     archive: PostgresUpstreamResponseArchive(backend: backend)),
            administration: PostgresAdministrationStore(backend: backend),
            deployment: PostgresDeploymentRecordStore(backend: backend),
            jobs: PostgresJobLock(backend: backend))
    }

    /// Keeps the connection pools running; returns when its task is cancelled (or at graceful shutdown),
    /// after closing every connection.
    public func run() async {
        await backend.run()
    }

    /// Applies the missing migrations once, under the migration lock (another node migrating makes this wait).
    /// Returns the names of the steps this call applied.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await backend.run("migrate the schema", deadline: false) { [logger = backend.logger] connection in
            try await PostgresMigrations.migrate(on: connection, logger: logger)
        }
    }

    /// Waits until a server that accepts writes answers, then migrates. While the database cannot be reached it
    /// logs what is wrong and tries again, waiting a little longer each time (up to `maximumWait`), until it works
    /// or the task is cancelled: a node started before its database waits for it instead of crash-looping.
    @discardableResult
    public func prepare(maximumWait: Duration = .seconds(15)) async throws -> [String] {
        var wait = Duration.milliseconds(500)
        while true {
            do {
                return try await migrate()
            } catch StoreError.unavailable(let problem) {
                backend.logger.error("PostgreSQL is not reachable yet: \(problem) Trying again in \(wait).")
                try await Task.sleep(for: wait)
                wait = min(wait * 2, maximumWait)
            }
        }
    }

    /// The names of the migrations recorded in the database, for checks and tools.
    public func appliedMigrations() async throws -> Set<String> {
        try await backend.run("read the applied migrations") { [logger = backend.logger] connection in
            var names: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM varco_migrations", logger: logger).decode(String.self) {
                names.insert(name)
            }
            return names
        }
    }

    /// The names of every migration this version of Varco knows, in order.
    public static var migrationNames: [String] { PostgresMigrations.steps.map(\.name) }
}
