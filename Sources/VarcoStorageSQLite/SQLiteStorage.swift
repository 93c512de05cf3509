import Foundation
import GRDB
import VarcoCore

/// Varco's embedded storage: every store in one SQLite database.
///
/// Open a file for production (`SQLiteStorage(path:)`, WAL mode, safe for concurrent readers and
/// one writer at a time) or an in-memory database for tests (`SQLiteStorage.inMemory()`), then
/// hand `stores` to the server. The schema is created or upgraded when the database is opened.
/// The database closes when the last reference to it (this value or any of its stores) goes away.
public final class SQLiteStorage: Sendable {
    /// Every store, backed by this database.
    public let stores: Stores
    let database: SQLiteDatabase

    /// Opens (creating if needed) the database file at `path`, and its parent directory.
    /// - Throws: `StoreError.backend` saying what to check when the file cannot be created,
    ///   opened or migrated.
    public convenience init(path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.backend("""
                SQLite storage at \(path): cannot create the directory \(directory.path) (\(error)). \
                Check that its parent exists, is a directory, and is writable by the Varco user.
                """)
        }
        try self.init(location: path) { try DatabasePool(path: path, configuration: Self.configuration) }
    }

    /// A private database that lives in memory until the last reference to it goes away. For tests and demos.
    public static func inMemory() throws -> SQLiteStorage {
        try SQLiteStorage(location: "in-memory database") { try DatabaseQueue(configuration: configuration) }
    }

    private init(location: String, open: () throws -> any DatabaseWriter) throws {
        let writer: any DatabaseWriter
        do {
            writer = try open()
            try Migrations.migrator.migrate(writer)
        } catch {
            throw SQLiteDatabase.translate(error, action: "open and migrate the database", location: location)
        }
        database = SQLiteDatabase(writer: writer, location: location)
        stores = Stores(
            sessions: SQLiteSessionStore(database: database),
            logins: SQLiteLoginTransactionStore(database: database),
            relyingParties: SQLiteRelyingPartyStore(database: database),
            citizens: SQLiteCitizenStore(database: database),
            otpCredentials: SQLiteOTPCredentialStore(database: database),
            replay: SQLiteReplayCache(database: database),
            audit: SQLiteAuditLog(database: database),
            oauthGrants: SQLiteOAuthGrantStore(database: database),
            otp: SQLiteOTPStores.make(database),
            upstream: UpstreamStores(pending: SQLitePendingUpstreamRequestStore(database: database),
                                     archive: SQLiteUpstreamResponseArchive(database: database)),
            administration: SQLiteAdministrationStore(database: database),
            deployment: SQLiteDeploymentRecordStore(database: database))
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.label = "varco"
        // Another process (an admin command, a backup) may hold the lock briefly: wait rather than fail.
        configuration.busyMode = .timeout(5)
        // In WAL mode NORMAL keeps the database consistent after a crash and syncs at checkpoints,
        // instead of on every commit: a power cut may lose the last moments of sessions and replay keys.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return configuration
    }
}
