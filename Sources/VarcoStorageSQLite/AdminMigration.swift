import GRDB

/// Tables of the administration: role grants and API tokens.
enum AdminMigration {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-admin") { db in
            try db.execute(sql: """
                CREATE TABLE admin_role_grants (
                    cf TEXT NOT NULL,
                    role TEXT NOT NULL,
                    json TEXT NOT NULL,
                    PRIMARY KEY (cf, role)) WITHOUT ROWID;

                CREATE TABLE admin_api_tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    created REAL NOT NULL,
                    json TEXT NOT NULL);
                """)
        }
    }
}
