import Foundation
import GRDB
import Testing
import VarcoCore
import VarcoTesting
@testable import VarcoStorageSQLite

/// What only the SQLite backend does: files, schema, cleanup, error messages.
@Suite struct SQLiteStorageTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    let rossi = try! CodiceFiscale("RSSMRA80A01H501U")

    @Test func dataSurvivesReopening() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("varco.sqlite").path
            let mario = Citizen(codiceFiscale: rossi, givenName: "Mario", familyName: "Rossi", dateOfBirth: "1980-01-01",
                                placeOfBirth: "H501", countyOfBirth: "RM")
            let credential = OTPCredential(id: "8038000001", citizen: rossi, passwordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                                           created: start)
            do {
                let storage = try SQLiteStorage(path: path)
                try await storage.stores.citizens.save(mario)
                try await storage.stores.otpCredentials.insert(credential)
                #expect(try await storage.stores.replay.consume("_req1", expires: start + 300, now: start))
                try await storage.stores.audit.append(AuditEvent(time: start, kind: .citizenAdded, subject: rossi.value,
                                                                 detail: "imported"))
            }  // the first storage and its connections are released here
            let reopened = try SQLiteStorage(path: path)
            #expect(try await reopened.stores.citizens.find(rossi) == mario)
            #expect(try await reopened.stores.otpCredentials.find(citizen: rossi) == [credential])
            #expect(try await reopened.stores.replay.consume("_req1", expires: start + 300, now: start + 10) == false)
            #expect(try await reopened.stores.audit.recent(limit: 5).map(\.kind) == [.citizenAdded])
        }
    }

    /// A full disk (simulated with `max_page_count`, which makes SQLite answer SQLITE_FULL as a full volume does):
    /// the write fails as "unavailable" (a 503 for the citizen), nothing half-written stays, what was stored
    /// before is intact, and writes work again once there is room.
    @Test func aFullDiskRefusesTheWriteAndLosesNothing() async throws {
        try await withTemporaryDirectory { directory in
            let storage = try SQLiteStorage(path: directory.appendingPathComponent("varco.sqlite").path)
            try await storage.stores.audit.append(AuditEvent(time: start, kind: .citizenAdded, subject: rossi.value, detail: "before"))
            let pages = try await storage.database.writer.write { try Int.fetchOne($0, sql: "PRAGMA page_count") } ?? 0
            try await storage.database.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(pages)") }
            let bulky = String(repeating: "x", count: 64 * 1024)
            await #expect {
                try await storage.stores.audit.append(AuditEvent(time: start + 1, kind: .citizenAdded, subject: rossi.value, detail: bulky))
            } throws: { error in
                guard case StoreError.unavailable(let message)? = error as? StoreError else { return false }
                return message.contains("The disk is full")
            }
            #expect(try await storage.stores.audit.recent(limit: 5).map(\.detail) == ["before"])
            let integrity = try await storage.database.writer.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") }
            #expect(integrity == "ok")
            try await storage.database.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }
            try await storage.stores.audit.append(AuditEvent(time: start + 2, kind: .citizenAdded, subject: rossi.value, detail: "after"))
            #expect(try await storage.stores.audit.recent(limit: 5).map(\.detail) == ["after", "before"])
        }
    }

    @Test func createsParentDirectoriesAndUsesWAL() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("data/varco/varco.sqlite").path
            let storage = try SQLiteStorage(path: path)
            #expect(FileManager.default.fileExists(atPath: path))
            let mode = try await storage.database.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            let migrations = try await storage.database.writer.read { try Migrations.migrator.appliedIdentifiers($0) }
            #expect(Set(migrations).isSuperset(of: ["v1", "v2-oauth", "v2-otp", "v3-admin"]))
        }
    }

    @Test func consumingPurgesExpiredKeys() async throws {
        let storage = try SQLiteStorage.inMemory()
        for index in 0..<40 {
            #expect(try await storage.stores.replay.consume("_old\(index)", expires: start + 60, now: start))
        }
        // Each later call removes a bounded batch of expired keys.
        #expect(try await storage.stores.replay.consume("_new1", expires: start + 600, now: start + 120))
        #expect(try await replayRows(storage) == 40 - SQLiteReplayCache.purgeBatch + 1)
        for index in 2...3 {
            #expect(try await storage.stores.replay.consume("_new\(index)", expires: start + 600, now: start + 120))
        }
        #expect(try await replayRows(storage) == 3)
        #expect(try await storage.stores.replay.consume("_new1", expires: start + 600, now: start + 130) == false)
    }

    @Test func unusablePathIsReportedWithAdvice() async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("not-a-directory")
            try Data("x".utf8).write(to: file)
            let error = #expect(throws: StoreError.self) { try SQLiteStorage(path: file.appendingPathComponent("varco.sqlite").path) }
            guard case .backend(let message) = error else { Issue.record("unexpected \(String(describing: error))"); return }
            #expect(message.contains("not-a-directory") && message.contains("writable"))
        }
    }

    @Test func foreignFileIsReportedWithAdvice() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("varco.sqlite").path
            try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: StoreError.self) { try SQLiteStorage(path: path) }
            guard case .backend(let message) = error else { Issue.record("unexpected \(String(describing: error))"); return }
            #expect(message.contains(path) && message.contains("not a Varco database"))
        }
    }

    private func replayRows(_ storage: SQLiteStorage) async throws -> Int {
        try await storage.database.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM replay") ?? -1 }
    }
}
