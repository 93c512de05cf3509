import VarcoCore

/// Background jobs run on one node at a time: a session-level advisory lock named after the job, held on one
/// connection while the job runs and released at the end. If the node dies, PostgreSQL drops the connection
/// and with it the lock, so another node takes the job at its next turn.
struct PostgresJobLock: JobLock {
    let backend: PostgresBackend

    func runExclusively(_ name: String, _ body: @Sendable () async throws -> Void) async throws -> Bool {
        let key = Self.lockKey(name)
        return try await withoutActuallyEscaping(body) { body in
            try await backend.run("run the background job \(name)", deadline: false) { [logger = backend.logger] db in
                guard try await db.fetchBool("SELECT pg_try_advisory_lock(\(key))", logger) == true else { return false }
                do {
                    try await body()
                } catch {
                    try? await db.exec("SELECT pg_advisory_unlock(\(key))", logger)
                    throw CallerError(underlying: error)
                }
                try await db.exec("SELECT pg_advisory_unlock(\(key))", logger)
                return true
            }
        }
    }

    /// A stable 64-bit key for the job name (FNV-1a), the same on every node and every run.
    static func lockKey(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "varco-job:\(name)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
