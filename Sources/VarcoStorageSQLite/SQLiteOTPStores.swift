import Foundation
import GRDB
import VarcoCore

enum SQLiteOTPStores {
    static func make(_ database: SQLiteDatabase) -> OTPStores {
        OTPStores(challenges: SQLiteSMSChallengeStore(database: database), outbox: SQLiteSMSOutboxStore(database: database),
                  counters: SQLiteRateCounterStore(database: database), operators: SQLiteOTPOperatorStore(database: database))
    }
}

struct SQLiteSMSChallengeStore: SMSChallengeStore {
    let database: SQLiteDatabase

    func save(_ challenge: SMSChallenge) async throws {
        try await database.write("save an SMS code") { db in
            try db.execute(sql: "INSERT OR REPLACE INTO otp_sms_challenges (id, expires, json) VALUES (?, ?, ?)",
                           arguments: [challenge.id, challenge.expires.storedSeconds, JSONColumn.encode(challenge)])
        }
    }

    func find(id: String) async throws -> SMSChallenge? {
        try await database.read("read an SMS code") { db in
            try db.fetchJSON(SMSChallenge.self, "SELECT json FROM otp_sms_challenges WHERE id = ?", [id])
        }
    }

    @discardableResult
    func update(id: String, _ change: @Sendable (inout SMSChallenge) throws -> Void) async throws -> SMSChallenge {
        try await database.write("update an SMS code") { db in
            let challenge = try db.modify(SMSChallenge.self, in: "otp_sms_challenges", id: id, change)
            try db.execute(sql: "UPDATE otp_sms_challenges SET expires = ?, json = ? WHERE id = ?",
                           arguments: [challenge.expires.storedSeconds, JSONColumn.encode(challenge), id])
            return challenge
        }
    }

    func delete(id: String) async throws {
        try await database.write("delete an SMS code") { db in
            try db.execute(sql: "DELETE FROM otp_sms_challenges WHERE id = ?", arguments: [id])
        }
    }

    func deleteExpired(before cutoff: Date) async throws -> Int {
        try await database.write("delete expired SMS codes") { db in
            try db.execute(sql: "DELETE FROM otp_sms_challenges WHERE expires < ?", arguments: [cutoff.storedSeconds])
            return db.changesCount
        }
    }
}

struct SQLiteSMSOutboxStore: SMSOutboxStore {
    let database: SQLiteDatabase

    func append(_ message: SMSMessage) async throws {
        try await database.write("record an SMS") { db in
            try db.execute(sql: "INSERT INTO otp_sms_outbox (id, created, json) VALUES (?, ?, ?)",
                           arguments: [message.id, message.created.storedSeconds, JSONColumn.encode(message)])
        }
    }

    @discardableResult
    func update(id: String, _ change: @Sendable (inout SMSMessage) throws -> Void) async throws -> SMSMessage {
        try await database.write("update an SMS") { db in
            let message = try db.modify(SMSMessage.self, in: "otp_sms_outbox", id: id, change)
            try db.execute(sql: "UPDATE otp_sms_outbox SET json = ? WHERE id = ?", arguments: [JSONColumn.encode(message), id])
            return message
        }
    }

    func recent(limit: Int) async throws -> [SMSMessage] {
        try await database.read("read the SMS outbox") { db in
            try db.fetchAllJSON(SMSMessage.self, "SELECT json FROM otp_sms_outbox ORDER BY seq DESC LIMIT ?", [max(0, limit)])
        }
    }
}

struct SQLiteRateCounterStore: RateCounterStore {
    let database: SQLiteDatabase

    func increment(_ key: String, windowEnd: Date, now: Date) async throws -> Int {
        try await database.write("count a rate-limited action") { db in
            try db.execute(sql: "DELETE FROM otp_rate_counters WHERE key = ? AND window_end <= ?",
                           arguments: [key, now.storedSeconds])
            try db.execute(sql: """
                INSERT INTO otp_rate_counters (key, window_end, count) VALUES (?, ?, 1)
                ON CONFLICT(key) DO UPDATE SET count = count + 1
                """, arguments: [key, windowEnd.storedSeconds])
            return try Int.fetchOne(db, sql: "SELECT count FROM otp_rate_counters WHERE key = ?", arguments: [key]) ?? 0
        }
    }

    func count(_ key: String, now: Date) async throws -> Int {
        try await database.read("read a rate counter") { db in
            try Int.fetchOne(db, sql: "SELECT count FROM otp_rate_counters WHERE key = ? AND window_end > ?",
                             arguments: [key, now.storedSeconds]) ?? 0
        }
    }

    func reset(_ key: String) async throws {
        try await database.write("reset a rate counter") { db in
            try db.execute(sql: "DELETE FROM otp_rate_counters WHERE key = ?", arguments: [key])
        }
    }
}

struct SQLiteOTPOperatorStore: OTPOperatorStore {
    let database: SQLiteDatabase

    func insert(_ otpOperator: OTPOperator) async throws {
        try await database.write("add an operator") { db in
            try db.execute(sql: """
                INSERT INTO otp_operators (name, token_hash, json) VALUES (?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [otpOperator.name, otpOperator.tokenHash, JSONColumn.encode(otpOperator)])
            if db.changesCount == 0 { throw StoreError.duplicate }
        }
    }

    func find(tokenHash: String) async throws -> OTPOperator? {
        try await database.read("read an operator") { db in
            try db.fetchJSON(OTPOperator.self, "SELECT json FROM otp_operators WHERE token_hash = ?", [tokenHash])
        }
    }

    func list() async throws -> [OTPOperator] {
        try await database.read("list operators") { db in
            try db.fetchAllJSON(OTPOperator.self, "SELECT json FROM otp_operators ORDER BY name")
        }
    }
}
