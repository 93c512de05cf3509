import Testing
import VarcoStoragePostgres

@Suite struct PostgresSettingsTests {
    @Test func multiHostConnectionString() throws {
        let settings = try PostgresSettings(url: "postgres://varco:s%40cret@db1.example.it:5433,db2.example.it/varco?target_session_attrs=read-write&sslmode=verify-full&pool_size=4&operation_timeout=3")
        #expect(settings.hosts == [.init(name: "db1.example.it", port: 5433), .init(name: "db2.example.it", port: 5432)])
        #expect(settings.username == "varco")
        #expect(settings.password == "s@cret")
        #expect(settings.database == "varco")
        #expect(settings.tls == .verifyFull)
        #expect(settings.poolSize == 4)
        #expect(settings.operationTimeout == .seconds(3))
        #expect(settings.redacted == "postgres://varco@db1.example.it:5433,db2.example.it:5432/varco")
    }

    @Test func ipv6Host() throws {
        let settings = try PostgresSettings(url: "postgresql://varco@[::1]:6432/varco")
        #expect(settings.hosts == [.init(name: "::1", port: 6432)])
        #expect(settings.tls == .prefer)
    }

    @Test("bad connection strings say what to change", arguments: [
        ("mysql://varco@db/varco", "postgres://"),
        ("postgres://db.example.it/varco", "no user"),
        ("postgres://varco@db.example.it", "no database"),
        ("postgres://varco@db.example.it:99999/varco", "between 1 and 65535"),
        ("postgres://varco@db1,,db2/varco", "empty host"),
        ("postgres://varco@db/varco?target_session_attrs=read-only", "read-write"),
        ("postgres://varco@db/varco?sslmode=maybe", "sslmode"),
        ("postgres://varco@db/varco?pool_size=0", "positive"),
        ("postgres://varco@db/varco?colour=blue", "unknown connection parameter colour"),
    ])
    func refused(_ url: String, _ hint: String) {
        #expect {
            try PostgresSettings(url: url)
        } throws: { error in
            "\(error)".contains(hint)
        }
    }
}
