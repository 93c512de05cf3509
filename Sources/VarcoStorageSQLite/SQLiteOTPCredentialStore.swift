import GRDB
import VarcoCore

/// OTP credentials in the `otp_credentials` table, indexed by citizen.
struct SQLiteOTPCredentialStore: OTPCredentialStore {
    let database: SQLiteDatabase

    func insert(_ credential: OTPCredential) async throws {
        try await database.write("insert an OTP credential") { db in
            try db.execute(sql: """
                INSERT INTO otp_credentials (id, citizen_cf, json) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING
                """, arguments: [credential.id, credential.citizen.value, JSONColumn.encode(credential)])
            if db.changesCount == 0 { throw StoreError.duplicate }
        }
    }

    /// Citizen and credential in one write transaction: a taken ID or any failure rolls both back.
    func insert(_ credential: OTPCredential, savingHolder holder: Citizen, in citizens: any CitizenStore) async throws {
        try await database.write("issue an OTP credential") { db in
            try db.execute(sql: """
                INSERT INTO citizens (cf, json) VALUES (?, ?)
                ON CONFLICT(cf) DO UPDATE SET json = excluded.json
                """, arguments: [holder.codiceFiscale.value, JSONColumn.encode(holder)])
            try db.execute(sql: """
                INSERT INTO otp_credentials (id, citizen_cf, json) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING
                """, arguments: [credential.id, credential.citizen.value, JSONColumn.encode(credential)])
            if db.changesCount == 0 { throw StoreError.duplicate }
        }
    }

    func find(id: String) async throws -> OTPCredential? {
        try await database.read("read an OTP credential") { db in
            try db.fetchJSON(OTPCredential.self, "SELECT json FROM otp_credentials WHERE id = ?", [id])
        }
    }

    /// The citizen's credentials, ordered by id.
    func find(citizen: CodiceFiscale) async throws -> [OTPCredential] {
        try await database.read("read a citizen's OTP credentials") { db in
            try db.fetchAllJSON(OTPCredential.self, "SELECT json FROM otp_credentials WHERE citizen_cf = ? ORDER BY id",
                                [citizen.value])
        }
    }

    @discardableResult
    func update(id: String, _ change: @Sendable (inout OTPCredential) throws -> Void) async throws -> OTPCredential {
        try await database.write("update an OTP credential") { db in
            let credential = try db.modify(OTPCredential.self, in: "otp_credentials", id: id, change)
            try db.execute(sql: "UPDATE otp_credentials SET citizen_cf = ?, json = ? WHERE id = ?",
                           arguments: [credential.citizen.value, JSONColumn.encode(credential), id])
            return credential
        }
    }
}
