import Testing
import VarcoCore
import VarcoStorageSQLite
import VarcoTesting

@Suite struct SQLiteUpstreamConformanceTests {
    @Test("SPID/CIE stores, in-memory database", arguments: StoreConformance.upstreamChecks)
    func inMemory(_ check: StoreConformance.Check) async throws {
        try await check.run(SQLiteStorage.inMemory().stores)
    }
}
