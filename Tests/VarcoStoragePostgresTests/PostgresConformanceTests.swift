import Testing
import VarcoCore
import VarcoStoragePostgres
import VarcoTesting

/// The backend-independent storage suite, each check on a new database of a real PostgreSQL.
@Suite(.enabled(if: TestDatabase.available, "VARCO_TEST_POSTGRES_URL names no PostgreSQL server"))
struct PostgresConformanceTests {
    @Test("store conformance", arguments: StoreConformance.checks)
    func conformance(_ check: StoreConformance.Check) async throws {
        try await TestDatabase.withStorage { storage in try await check.run(storage.stores) }
    }

    @Test("OTP store conformance", arguments: StoreConformance.otpChecks)
    func otpConformance(_ check: StoreConformance.Check) async throws {
        try await TestDatabase.withStorage { storage in try await check.run(storage.stores) }
    }

    @Test("administration store conformance", arguments: StoreConformance.administrationChecks)
    func administrationConformance(_ check: StoreConformance.Check) async throws {
        try await TestDatabase.withStorage { storage in try await check.run(storage.stores) }
    }
}
