import GRDB

/// The schema, as numbered migrations. Never edit a released migration: add the next one.
///
/// Each aggregate is stored whole as JSON (see `JSONColumn`) next to the columns its lookups need.
/// Dates in columns are seconds since 1970 (REAL), the same numbers as in the JSON.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY NOT NULL,
                    last_seen REAL NOT NULL,
                    json TEXT NOT NULL);
                CREATE INDEX sessions_last_seen ON sessions(last_seen);

                CREATE TABLE logins (
                    id TEXT PRIMARY KEY NOT NULL,
                    expires REAL NOT NULL,
                    json TEXT NOT NULL);
                CREATE INDEX logins_expires ON logins(expires);

                CREATE TABLE relying_parties (
                    id TEXT PRIMARY KEY NOT NULL,
                    json TEXT NOT NULL);

                CREATE TABLE citizens (
                    cf TEXT PRIMARY KEY NOT NULL,
                    json TEXT NOT NULL);

                CREATE TABLE otp_credentials (
                    id TEXT PRIMARY KEY NOT NULL,
                    citizen_cf TEXT NOT NULL,
                    json TEXT NOT NULL);
                CREATE INDEX otp_credentials_citizen ON otp_credentials(citizen_cf);

                CREATE TABLE replay (
                    key TEXT PRIMARY KEY NOT NULL,
                    expires REAL NOT NULL) WITHOUT ROWID;
                CREATE INDEX replay_expires ON replay(expires);

                CREATE TABLE audit (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    time REAL NOT NULL,
                    kind TEXT NOT NULL,
                    subject TEXT,
                    relying_party TEXT,
                    json TEXT NOT NULL);
                CREATE INDEX audit_time ON audit(time);
                CREATE INDEX audit_subject ON audit(subject);
                """)
        }
        migrator.registerMigration("v2-oauth", migrate: Migrations.oauth)
        OTPMigration.register(&migrator)
        migrator.registerMigration("v3-deployment") { db in
            try db.execute(sql: """
                CREATE TABLE deployment (
                    name TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL,
                    recorded REAL NOT NULL);
                """)
        }
        UpstreamMigration.register(&migrator)
        AdminMigration.register(&migrator)
        return migrator
    }
}
