import VarcoCore

/// OTP credentials in the `otp_credentials` table, indexed by citizen.
struct PostgresOTPCredentialStore: OTPCredentialStore {
    let backend: PostgresBackend

    func insert(_ credential: OTPCredential) async throws {
        let json = try JSONColumn.encode(credential)
        let inserted = try await backend.run("insert an OTP credential") { [logger = backend.logger] db in
            try await db.fetchInt("""
                INSERT INTO otp_credentials (id, citizen_cf, json) VALUES (\(credential.id), \(credential.citizen.value), \(json)::jsonb)
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger)
        }
        if inserted == nil { throw StoreError.duplicate }
    }

    /// Citizen and credential in one transaction: a taken ID or any failure rolls both back.
    func insert(_ credential: OTPCredential, savingHolder holder: Citizen, in citizens: any CitizenStore) async throws {
        let credentialJSON = try JSONColumn.encode(credential), holderJSON = try JSONColumn.encode(holder)
        try await backend.transaction("issue an OTP credential") { [logger = backend.logger] db in
            try await db.exec("""
                INSERT INTO citizens (cf, json) VALUES (\(holder.codiceFiscale.value), \(holderJSON)::jsonb)
                ON CONFLICT (cf) DO UPDATE SET json = excluded.json
                """, logger)
            let inserted = try await db.fetchInt("""
                INSERT INTO otp_credentials (id, citizen_cf, json) VALUES (\(credential.id), \(credential.citizen.value), \(credentialJSON)::jsonb)
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger)
            if inserted == nil { throw StoreError.duplicate }
        }
    }

    func find(id: String) async throws -> OTPCredential? {
        try await backend.run("read an OTP credential") { [logger = backend.logger] db in
            try await db.fetchJSON(OTPCredential.self, "SELECT json::text FROM otp_credentials WHERE id = \(id)", logger)
        }
    }

    /// The citizen's credentials, ordered by id.
    func find(citizen: CodiceFiscale) async throws -> [OTPCredential] {
        try await backend.run("read a citizen's OTP credentials") { [logger = backend.logger] db in
            try await db.fetchAllJSON(OTPCredential.self, """
                SELECT json::text FROM otp_credentials WHERE citizen_cf = \(citizen.value) ORDER BY id COLLATE "C"
                """, logger)
        }
    }

    @discardableResult
    func update(id: String, _ change: @Sendable (inout OTPCredential) throws -> Void) async throws -> OTPCredential {
        try await withoutActuallyEscaping(change) { change in
            try await backend.transaction("update an OTP credential") { [logger = backend.logger] db in
                let credential = try await db.modify(OTPCredential.self, in: "otp_credentials", id: id, logger, change)
                try await db.exec("""
                    UPDATE otp_credentials SET citizen_cf = \(credential.citizen.value), json = \(try JSONColumn.encode(credential))::jsonb
                    WHERE id = \(id)
                    """, logger)
                return credential
            }
        }
    }
}
