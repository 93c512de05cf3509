import Testing
import VarcoCore
import VarcoStorageSQLite
import VarcoTesting

@Suite struct SQLiteAdministrationConformanceTests {
    @Test("administration stores, in-memory SQLite database", arguments: StoreConformance.administrationChecks)
    func sqlite(_ check: StoreConformance.Check) async throws {
        try await check.run(SQLiteStorage.inMemory().stores)
    }

    @Test("administration stores, the in-memory fake of VarcoTesting", arguments: StoreConformance.administrationChecks)
    func fake(_ check: StoreConformance.Check) async throws {
        var stores = try SQLiteStorage.inMemory().stores
        stores.administration = InMemoryAdministrationStore()
        stores.relyingParties = InMemoryRelyingPartyStore()
        try await check.run(stores)
    }
}
