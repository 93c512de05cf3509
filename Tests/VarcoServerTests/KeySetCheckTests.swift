import Logging
import Testing
import VarcoCore
@testable import VarcoServer
import VarcoStorageSQLite
import VarcoTesting

/// Every node must sign with the keys recorded by the first: another key set is refused with what to do.
@Suite struct KeySetCheckTests {
    let logger = Logger(label: "key-set-check-tests")

    @Test func firstNodeRecordsLaterNodesMustMatch() async throws {
        let stores = try SQLiteStorage.inMemory().stores
        let check = KeySetCheck(records: stores.deployment, clock: FixedClock(), logger: logger)
        let keys = KeySetCheck.fingerprint(samlCertificates: ["MIIC-A"], oidcKeyIDs: ["rsa-1", "ec-1"], pairwiseSecret: [1, 2, 3])
        try await check.verify(keys, dataDirectory: "var", accept: false)
        try await check.verify(keys, dataDirectory: "var", accept: false)

        let other = KeySetCheck.fingerprint(samlCertificates: ["MIIC-A"], oidcKeyIDs: ["rsa-1", "ec-1"], pairwiseSecret: [9, 9, 9])
        #expect(other != keys, "the pairwise secret is part of the key set")
        await #expect {
            try await check.verify(other, dataDirectory: "/srv/varco", accept: false)
        } throws: { error in
            let message = "\(error)"
            return message.contains("differ from the key set recorded") && message.contains("/srv/varco")
                && message.contains("pairwise.secret") && message.contains("--accept-key-set")
        }

        // A deliberate change: the node that accepts records its keys; the old ones are refused from then on.
        try await check.verify(other, dataDirectory: "var", accept: true)
        try await check.verify(other, dataDirectory: "var", accept: false)
        await #expect(throws: VarcoServer.StartupError.self) { try await check.verify(keys, dataDirectory: "var", accept: false) }
    }
}
