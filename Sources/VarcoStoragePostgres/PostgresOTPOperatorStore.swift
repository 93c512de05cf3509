import VarcoCore

/// Counter operators in `otp_operators`, keyed by name, found by the hash of their token.
struct PostgresOTPOperatorStore: OTPOperatorStore {
    let backend: PostgresBackend

    /// Throws `StoreError.duplicate` if the name (or the token) is taken.
    func insert(_ otpOperator: OTPOperator) async throws {
        let json = try JSONColumn.encode(otpOperator)
        let inserted = try await backend.run("add an operator") { [logger = backend.logger] db in
            try await db.fetchInt("""
                INSERT INTO otp_operators (name, token_hash, json) VALUES (\(otpOperator.name), \(otpOperator.tokenHash), \(json)::jsonb)
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger)
        }
        if inserted == nil { throw StoreError.duplicate }
    }

    func find(tokenHash: String) async throws -> OTPOperator? {
        try await backend.run("read an operator") { [logger = backend.logger] db in
            try await db.fetchJSON(OTPOperator.self, "SELECT json::text FROM otp_operators WHERE token_hash = \(tokenHash)", logger)
        }
    }

    func list() async throws -> [OTPOperator] {
        try await backend.run("list operators") { [logger = backend.logger] db in
            try await db.fetchAllJSON(OTPOperator.self, "SELECT json::text FROM otp_operators ORDER BY name COLLATE \"C\"", logger)
        }
    }
}
