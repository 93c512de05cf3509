import GRDB

/// Tables of the regional OTP credential life cycle.
enum OTPMigration {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-otp") { db in
            try db.execute(sql: """
                CREATE TABLE otp_sms_challenges (
                    id TEXT PRIMARY KEY NOT NULL,
                    expires REAL NOT NULL,
                    json TEXT NOT NULL);
                CREATE INDEX otp_sms_challenges_expires ON otp_sms_challenges(expires);

                CREATE TABLE otp_sms_outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    created REAL NOT NULL,
                    json TEXT NOT NULL);

                CREATE TABLE otp_rate_counters (
                    key TEXT PRIMARY KEY NOT NULL,
                    window_end REAL NOT NULL,
                    count INTEGER NOT NULL) WITHOUT ROWID;

                CREATE TABLE otp_operators (
                    name TEXT PRIMARY KEY NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    json TEXT NOT NULL);
                """)
        }
    }
}
