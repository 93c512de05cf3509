import Foundation
import Logging
import PostgresNIO
import Testing
import VarcoStoragePostgres

/// A fresh, empty database on the test server for each use, dropped afterwards.
///
/// The server comes from `VARCO_TEST_POSTGRES_URL` (a superuser connection string; `scripts/test` starts a private
/// PostgreSQL 15 and sets it). Without it the tests that need a server are skipped, and only those.
enum TestDatabase {
    static let url = ProcessInfo.processInfo.environment["VARCO_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static var available: Bool { url != nil }
    static let logger = Logger(label: "varco-postgres-tests")

    /// The settings of the server with `database` instead of the one named in the URL.
    static func settings(database: String) throws -> PostgresSettings {
        var settings = try PostgresSettings(url: try #require(url))
        settings.database = database
        return settings
    }

    /// Runs `body` with storage on a new database, migrated; the database is dropped at the end, even on failure.
    static func withStorage<T: Sendable>(_ body: @Sendable (PostgresStorage) async throws -> T) async throws -> T {
        try await withDatabase { name in
            try await withRunning(try PostgresStorage(settings: settings(database: name), logger: logger)) { storage in
                try await storage.migrate()
                return try await body(storage)
            }
        }
    }

    /// Runs `body` with the name of a new empty database, dropped at the end.
    static func withDatabase<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let name = "varco_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await admin("CREATE DATABASE \(name)")
        do {
            let result = try await body(name)
            try await admin("DROP DATABASE \(name) WITH (FORCE)")
            return result
        } catch {
            try? await admin("DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Keeps `storage`'s pools running while `body` runs.
    static func withRunning<T: Sendable>(_ storage: PostgresStorage, _ body: @Sendable (PostgresStorage) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await storage.run() }
            defer { group.cancelAll() }
            return try await body(storage)
        }
    }

    /// Runs one statement on the server's own database, outside the storage under test.
    static func admin(_ sql: String) async throws {
        try await withAdminConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
        }
    }

    static func withAdminConnection<T>(database: String? = nil, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let settings = try PostgresSettings(url: try #require(url))
        let host = try #require(settings.hosts.first)
        let configuration = PostgresConnection.Configuration(host: host.name, port: host.port, username: settings.username,
                                                             password: settings.password, database: database ?? settings.database,
                                                             tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
