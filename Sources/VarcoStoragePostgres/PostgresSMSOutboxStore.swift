import VarcoCore

/// Every SMS handed to a gateway, in `otp_sms_outbox`, ordered by `seq`.
struct PostgresSMSOutboxStore: SMSOutboxStore {
    let backend: PostgresBackend

    func append(_ message: SMSMessage) async throws {
        let json = try JSONColumn.encode(message)
        try await backend.run("record an SMS") { [logger = backend.logger] db in
            try await db.exec("""
                INSERT INTO otp_sms_outbox (id, created, json) VALUES (\(message.id), \(message.created.storedSeconds), \(json)::jsonb)
                """, logger)
        }
    }

    @discardableResult
    func update(id: String, _ change: @Sendable (inout SMSMessage) throws -> Void) async throws -> SMSMessage {
        try await withoutActuallyEscaping(change) { change in
            try await backend.transaction("update an SMS") { [logger = backend.logger] db in
                let message = try await db.modify(SMSMessage.self, in: "otp_sms_outbox", id: id, logger, change)
                try await db.exec("UPDATE otp_sms_outbox SET json = \(try JSONColumn.encode(message))::jsonb WHERE id = \(id)", logger)
                return message
            }
        }
    }

    func recent(limit: Int) async throws -> [SMSMessage] {
        try await backend.run("read the SMS outbox") { [logger = backend.logger] db in
            try await db.fetchAllJSON(SMSMessage.self, "SELECT json::text FROM otp_sms_outbox ORDER BY seq DESC LIMIT \(max(0, limit))", logger)
        }
    }
}
