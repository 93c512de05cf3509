import Foundation
import GRDB
import VarcoCore

/// Deployment-wide records in the `deployment` table (the signing key set fingerprint).
struct SQLiteDeploymentRecordStore: DeploymentRecordStore {
    let database: SQLiteDatabase

    func record(_ name: String, ifAbsent value: String, now: Date) async throws -> String {
        try await database.write("record a deployment setting") { db in
            try db.execute(sql: "INSERT INTO deployment (name, value, recorded) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING",
                           arguments: [name, value, now.storedSeconds])
            return try String.fetchOne(db, sql: "SELECT value FROM deployment WHERE name = ?", arguments: [name]) ?? value
        }
    }

    func replace(_ name: String, with value: String, now: Date) async throws {
        try await database.write("replace a deployment setting") { db in
            try db.execute(sql: """
                INSERT INTO deployment (name, value, recorded) VALUES (?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET value = excluded.value, recorded = excluded.recorded
                """, arguments: [name, value, now.storedSeconds])
        }
    }
}
