import GRDB

extension Migrations {
    /// "v2-oauth": OIDC grants, authorization codes and refresh tokens. Codes and refresh tokens are
    /// stored by the hash of their value; `used` flips once, in one statement, for single use.
    static func oauth(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE oauth_grants (
                id TEXT PRIMARY KEY NOT NULL,
                expires REAL NOT NULL,
                json TEXT NOT NULL);
            CREATE INDEX oauth_grants_expires ON oauth_grants(expires);

            CREATE TABLE oauth_codes (
                hash TEXT PRIMARY KEY NOT NULL,
                grant_id TEXT NOT NULL,
                expires REAL NOT NULL,
                used INTEGER NOT NULL DEFAULT 0,
                json TEXT NOT NULL);
            CREATE INDEX oauth_codes_expires ON oauth_codes(expires);

            CREATE TABLE oauth_refresh_tokens (
                hash TEXT PRIMARY KEY NOT NULL,
                grant_id TEXT NOT NULL,
                expires REAL NOT NULL,
                used INTEGER NOT NULL DEFAULT 0,
                json TEXT NOT NULL);
            CREATE INDEX oauth_refresh_tokens_expires ON oauth_refresh_tokens(expires);
            CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens(grant_id);
            """)
    }
}
