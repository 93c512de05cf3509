import Logging
import PostgresNIO

/// The schema, as numbered migrations with the same names as the SQLite ones. Never edit a released migration:
/// add the next one. Each aggregate is stored whole as JSON next to the columns its lookups need; dates in columns
/// are seconds since 1970 (double precision), the same numbers as in the JSON.
///
/// Several nodes may start at once: the migrator holds an advisory lock for the whole run, so one node migrates
/// and the others wait, then find nothing left to do.
enum PostgresMigrations {
    /// The advisory lock key of migrations ("varco-migrate").
    static let lockKey: Int64 = 0x7661_7263_6f6d_6967

    static let steps: [(name: String, sql: String)] = [
        ("v1", """
            CREATE TABLE sessions (
                id text PRIMARY KEY,
                last_seen double precision NOT NULL,
                json jsonb NOT NULL);
            CREATE INDEX sessions_last_seen ON sessions(last_seen);

            CREATE TABLE logins (
                id text PRIMARY KEY,
                expires double precision NOT NULL,
                json jsonb NOT NULL);
            CREATE INDEX logins_expires ON logins(expires);

            CREATE TABLE relying_parties (
                id text PRIMARY KEY,
                json jsonb NOT NULL);

            CREATE TABLE citizens (
                cf text PRIMARY KEY,
                json jsonb NOT NULL);

            CREATE TABLE otp_credentials (
                id text PRIMARY KEY,
                citizen_cf text NOT NULL,
                json jsonb NOT NULL);
            CREATE INDEX otp_credentials_citizen ON otp_credentials(citizen_cf);

            CREATE TABLE replay (
                key text PRIMARY KEY,
                expires double precision NOT NULL);
            CREATE INDEX replay_expires ON replay(expires);

            CREATE TABLE audit (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                time double precision NOT NULL,
                kind text NOT NULL,
                subject text,
                relying_party text,
                json jsonb NOT NULL);
            CREATE INDEX audit_time ON audit(time);
            CREATE INDEX audit_subject ON audit(subject);
            """),
        ("v2-oauth", """
            CREATE TABLE oauth_grants (
                id text PRIMARY KEY,
                expires double precision NOT NULL,
                json jsonb NOT NULL);
            CREATE INDEX oauth_grants_expires ON oauth_grants(expires);

            CREATE TABLE oauth_codes (
                hash text PRIMARY KEY,
                grant_id text NOT NULL,
                expires double precision NOT NULL,
                used boolean NOT NULL DEFAULT false,
                json jsonb NOT NULL);
            CREATE INDEX oauth_codes_expires ON oauth_codes(expires);

            CREATE TABLE oauth_refresh_tokens (
                hash text PRIMARY KEY,
                grant_id text NOT NULL,
                expires double precision NOT NULL,
                used boolean NOT NULL DEFAULT false,
                json jsonb NOT NULL);
            CREATE INDEX oauth_refresh_tokens_expires ON oauth_refresh_tokens(expires);
            CREATE INDEX oauth_refresh_tokens_grant ON oauth_refresh_tokens(grant_id);
            """),
        ("v2-otp", """
            CREATE TABLE otp_sms_challenges (
                id text PRIMARY KEY,
                expires double precision NOT NULL,
                json jsonb NOT NULL);
            CREATE INDEX otp_sms_challenges_expires ON otp_sms_challenges(expires);

            CREATE TABLE otp_sms_outbox (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id text NOT NULL UNIQUE,
                created double precision NOT NULL,
                json jsonb NOT NULL);

            CREATE TABLE otp_rate_counters (
                key text PRIMARY KEY,
                window_end double precision NOT NULL,
                count integer NOT NULL);

            CREATE TABLE otp_operators (
                name text PRIMARY KEY,
                token_hash text NOT NULL UNIQUE,
                json jsonb NOT NULL);
            """),
        ("v3-deployment", """
            CREATE TABLE deployment (
                name text PRIMARY KEY,
                value text NOT NULL,
                recorded double precision NOT NULL);
            """),
        ("v3-upstream", """
            CREATE TABLE upstream_requests (
                id text PRIMARY KEY,
                expires double precision NOT NULL,
                json jsonb NOT NULL);
            CREATE INDEX upstream_requests_expires ON upstream_requests(expires);

            CREATE TABLE upstream_responses (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                received double precision NOT NULL,
                subject text,
                json jsonb NOT NULL);
            CREATE INDEX upstream_responses_received ON upstream_responses(received);
            """),
        ("v3-admin", """
            CREATE TABLE admin_role_grants (
                cf text NOT NULL,
                role text NOT NULL,
                json jsonb NOT NULL,
                PRIMARY KEY (cf, role));

            CREATE TABLE admin_api_tokens (
                id text PRIMARY KEY,
                token_hash text NOT NULL UNIQUE,
                created double precision NOT NULL,
                json jsonb NOT NULL);
            """),
    ]

    /// Applies the missing steps, each in its own transaction, while holding the migration lock on `connection`.
    /// Returns the names of the steps applied by this call.
    static func migrate(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.exec("SELECT pg_advisory_lock(\(lockKey))", logger)
        do {
            let applied = try await run(on: connection, logger: logger)
            try await connection.exec("SELECT pg_advisory_unlock(\(lockKey))", logger)
            return applied
        } catch {
            try? await connection.exec("SELECT pg_advisory_unlock(\(lockKey))", logger)
            throw error
        }
    }

    private static func run(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.exec("""
            CREATE TABLE IF NOT EXISTS varco_migrations (name text PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())
            """, logger)
        var done: Set<String> = []
        for try await name in try await connection.query("SELECT name FROM varco_migrations", logger: logger).decode(String.self) {
            done.insert(name)
        }
        var applied: [String] = []
        for step in steps where !done.contains(step.name) {
            try await connection.exec("BEGIN", logger)
            do {
                for statement in step.sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                    try await connection.exec(PostgresQuery(unsafeSQL: String(statement)), logger)
                }
                try await connection.exec("INSERT INTO varco_migrations (name) VALUES (\(step.name))", logger)
                try await connection.exec("COMMIT", logger)
            } catch {
                try? await connection.exec("ROLLBACK", logger)
                throw error
            }
            logger.notice("PostgreSQL: applied migration \(step.name)")
            applied.append(step.name)
        }
        return applied
    }
}
