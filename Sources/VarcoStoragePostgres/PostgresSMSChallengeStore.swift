import Foundation
import VarcoCore

/// SMS codes in `otp_sms_challenges`, keyed by the flow id.
struct PostgresSMSChallengeStore: SMSChallengeStore {
    let backend: PostgresBackend

    func save(_ challenge: SMSChallenge) async throws {
        let json = try JSONColumn.encode(challenge)
        try await backend.run("save an SMS code") { [logger = backend.logger] db in
            try await db.exec("""
                INSERT INTO otp_sms_challenges (id, expires, json) VALUES (\(challenge.id), \(challenge.expires.storedSeconds), \(json)::jsonb)
                ON CONFLICT (id) DO UPDATE SET expires = excluded.expires, json = excluded.json
                """, logger)
        }
    }

    func find(id: String) async throws -> SMSChallenge? {
        try await backend.run("read an SMS code") { [logger = backend.logger] db in
            try await db.fetchJSON(SMSChallenge.self, "SELECT json::text FROM otp_sms_challenges WHERE id = \(id)", logger)
        }
    }

    @discardableResult
    func update(id: String, _ change: @Sendable (inout SMSChallenge) throws -> Void) async throws -> SMSChallenge {
        try await withoutActuallyEscaping(change) { change in
            try await backend.transaction("update an SMS code") { [logger = backend.logger] db in
                let challenge = try await db.modify(SMSChallenge.self, in: "otp_sms_challenges", id: id, logger, change)
                try await db.exec("""
                    UPDATE otp_sms_challenges SET expires = \(challenge.expires.storedSeconds), json = \(try JSONColumn.encode(challenge))::jsonb
                    WHERE id = \(id)
                    """, logger)
                return challenge
            }
        }
    }

    func delete(id: String) async throws {
        try await backend.run("delete an SMS code") { [logger = backend.logger] db in
            try await db.exec("DELETE FROM otp_sms_challenges WHERE id = \(id)", logger)
        }
    }

    func deleteExpired(before cutoff: Date) async throws -> Int {
        try await backend.run("delete expired SMS codes") { [logger = backend.logger] db in
            try await db.fetchInt("""
                WITH gone AS (DELETE FROM otp_sms_challenges WHERE expires < \(cutoff.storedSeconds) RETURNING 1) SELECT count(*) FROM gone
                """, logger) ?? 0
        }
    }
}
