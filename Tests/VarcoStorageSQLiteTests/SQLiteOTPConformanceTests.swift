import Testing
import VarcoCore
import VarcoStorageSQLite
import VarcoTesting

@Suite struct SQLiteOTPConformanceTests {
    @Test("OTP stores, in-memory database", arguments: StoreConformance.otpChecks)
    func inMemory(_ check: StoreConformance.Check) async throws {
        try await check.run(SQLiteStorage.inMemory().stores)
    }
}
