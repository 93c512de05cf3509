import Testing
import VarcoCore
import VarcoStorageSQLite
import VarcoTesting

/// The backend-independent storage suite, on both ways of opening SQLite.
@Suite struct SQLiteConformanceTests {
    @Test("in-memory database", arguments: StoreConformance.checks)
    func inMemory(_ check: StoreConformance.Check) async throws {
        try await check.run(SQLiteStorage.inMemory().stores)
    }

    @Test("database file (WAL)", arguments: StoreConformance.checks)
    func file(_ check: StoreConformance.Check) async throws {
        try await withTemporaryDirectory { directory in
            let storage = try SQLiteStorage(path: directory.appendingPathComponent("varco.sqlite").path)
            try await check.run(storage.stores)
        }
    }

    @Test("the whole suite through its factory entry point")
    func wholeSuite() async throws {
        try await StoreConformance.run { try SQLiteStorage.inMemory().stores }
    }
}
