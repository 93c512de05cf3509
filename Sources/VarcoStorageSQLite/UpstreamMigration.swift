import GRDB

/// Tables of login through SPID and CIE: pending upstream AuthnRequests and the response archive.
enum UpstreamMigration {
    static func register(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-upstream") { db in
            try db.execute(sql: """
                CREATE TABLE upstream_requests (
                    id TEXT PRIMARY KEY NOT NULL,
                    expires REAL NOT NULL,
                    json TEXT NOT NULL);
                CREATE INDEX upstream_requests_expires ON upstream_requests(expires);

                CREATE TABLE upstream_responses (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    received REAL NOT NULL,
                    subject TEXT,
                    json TEXT NOT NULL);
                CREATE INDEX upstream_responses_received ON upstream_responses(received);
                """)
        }
    }
}
