import Foundation
import VarcoCore

/// Deployment-wide records in the `deployment` table (the signing key set fingerprint).
struct PostgresDeploymentRecordStore: DeploymentRecordStore {
    let backend: PostgresBackend

    func record(_ name: String, ifAbsent value: String, now: Date) async throws -> String {
        try await backend.run("record a deployment setting") { [logger = backend.logger] db in
            // The no-op update makes the row come back whether it was inserted now or by another node before.
            for try await recorded in try await db.query("""
                INSERT INTO deployment (name, value, recorded) VALUES (\(name), \(value), \(now.storedSeconds))
                ON CONFLICT (name) DO UPDATE SET name = deployment.name RETURNING value
                """, logger: logger).decode(String.self) {
                return recorded
            }
            return value
        }
    }

    func replace(_ name: String, with value: String, now: Date) async throws {
        try await backend.run("replace a deployment setting") { [logger = backend.logger] db in
            try await db.exec("""
                INSERT INTO deployment (name, value, recorded) VALUES (\(name), \(value), \(now.storedSeconds))
                ON CONFLICT (name) DO UPDATE SET value = excluded.value, recorded = excluded.recorded
                """, logger)
        }
    }
}
