import Foundation

/// Where and how to reach PostgreSQL, read from a connection string:
///
///     postgres://USER:PASSWORD@HOST1:PORT1,HOST2:PORT2/DATABASE?target_session_attrs=read-write&sslmode=require
///
/// Several hosts are tried in order and the first that accepts writes is used (`target_session_attrs=read-write`,
/// the only target Varco accepts, since every request may write); after a failover the next request looks again.
/// Parameters: `sslmode` (`disable`, `prefer`, `require`, `verify-full`; default `prefer`), `connect_timeout`
/// (seconds, default 5), `pool_size` (connections per node, default 10), `operation_timeout` (seconds a store
/// operation may wait for a connection and its answer, default 10), `application_name`.
public struct PostgresSettings: Sendable, Equatable {
    public struct Host: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        public var port: Int
        public init(name: String, port: Int) { (self.name, self.port) = (name, port) }
        public var description: String { name.contains(":") ? "[\(name)]:\(port)" : "\(name):\(port)" }
    }

    public enum TLSMode: String, Sendable, Equatable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var hosts: [Host]
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode = .prefer
    public var connectTimeout: Duration = .seconds(5)
    public var poolSize = 10
    public var operationTimeout: Duration = .seconds(10)
    public var applicationName = "varco"

    /// A connection string refused, with what to change.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Parses a `postgres://` or `postgresql://` connection string.
    public init(url text: String) throws(Invalid) {
        guard let schemeEnd = text.range(of: "://"),
              ["postgres", "postgresql"].contains(text[..<schemeEnd.lowerBound].lowercased()) else {
            throw Invalid(description: "the database must be a postgres:// connection string (or omitted for SQLite)")
        }
        var rest = String(text[schemeEnd.upperBound...])
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = String(rest[..<mark])
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[rest.index(after: slash)...])
            rest = String(rest[..<slash])
        }
        var userInfo = ""
        if let at = rest.lastIndex(of: "@") {
            userInfo = String(rest[..<at])
            rest = String(rest[rest.index(after: at)...])
        }
        let user = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        username = Self.decode(user.first ?? "")
        password = user.count > 1 ? Self.decode(user[1]) : nil
        if username.isEmpty { throw Invalid(description: "the connection string names no user (postgres://USER@HOST/DATABASE)") }
        database = Self.decode(path)
        if database.isEmpty { throw Invalid(description: "the connection string names no database (postgres://USER@HOST/DATABASE)") }
        var hosts: [Host] = []
        for text in rest.split(separator: ",", omittingEmptySubsequences: false) { hosts.append(try Self.host(String(text))) }
        self.hosts = hosts
        try apply(query: query)
    }

    private static func host(_ text: String) throws(Invalid) -> Host {
        var name = text, port = 5432
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {  // [::1]:5432
            name = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { throw Invalid(description: "bad port in \(text)") }
                port = value
            }
        } else if let colon = text.lastIndex(of: ":") {
            name = String(text[..<colon])
            guard let value = Int(text[text.index(after: colon)...]) else { throw Invalid(description: "bad port in \(text)") }
            port = value
        }
        guard !name.isEmpty else { throw Invalid(description: "the connection string has an empty host name") }
        guard (1...65535).contains(port) else { throw Invalid(description: "port \(port) of \(name) is not between 1 and 65535") }
        return Host(name: name, port: port)
    }

    private mutating func apply(query: String) throws(Invalid) {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { Self.decode(String($0)) }
            let key = parts[0], value = parts.count > 1 ? parts[1] : ""
            switch key {
            case "target_session_attrs":
                guard value == "read-write" || value == "primary" else {
                    throw Invalid(description: "target_session_attrs=\(value): Varco writes on every node, use read-write")
                }
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw Invalid(description: "sslmode=\(value): use disable, prefer, require or verify-full")
                }
                tls = mode
            case "connect_timeout":
                connectTimeout = .seconds(try Self.positive(key, value))
            case "operation_timeout":
                operationTimeout = .seconds(try Self.positive(key, value))
            case "pool_size":
                poolSize = try Self.positive(key, value)
            case "application_name":
                applicationName = value
            default:
                throw Invalid(description: "unknown connection parameter \(key): known are target_session_attrs, sslmode, connect_timeout, operation_timeout, pool_size, application_name")
            }
        }
    }

    private static func positive(_ key: String, _ value: String) throws(Invalid) -> Int {
        guard let number = Int(value), number > 0 else { throw Invalid(description: "\(key)=\(value): give a positive whole number") }
        return number
    }

    private static func decode(_ text: String) -> String { text.removingPercentEncoding ?? text }

    /// The servers and database, without the password, for messages.
    public var redacted: String {
        "postgres://\(username)@\(hosts.map(\.description).joined(separator: ","))/\(database)"
    }
}
