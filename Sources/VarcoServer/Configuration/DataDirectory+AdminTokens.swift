import Crypto
import Foundation
import VarcoCore

/// Bearer tokens of the administrators' REST API (`varco admin-token add NAME`). Only the SHA-256 of
/// each token is kept, one `NAME<TAB>HEX` line each in the file `admin-tokens` (mode 0600); the
/// server reads the file at each request, so a token added while it runs works at once.
struct AdminTokens: Sendable {
    let path: String

    init(dataDirectory: String) {
        path = (dataDirectory as NSString).appendingPathComponent("admin-tokens")
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func entries() -> [(name: String, hash: String)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t")
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
    }

    /// The name of the administrator whose token this is, if any (compared in constant time).
    func name(for token: String) -> String? {
        guard !token.isEmpty, token.utf8.count <= 128 else { return nil }
        let hash = Self.hash(token)
        return entries().first { ConstantTime.equal($0.hash, hash) }?.name
    }

    /// Adds a token for `name` and returns it; it is not stored and cannot be shown again.
    func add(name: String, token: String) throws {
        var lines = entries().filter { $0.name != name }.map { "\($0.name)\t\($0.hash)" }
        lines.append("\(name)\t\(Self.hash(token))")
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}

extension Administration {
    /// A new API token (stored hashed in the database, scoped to a role, expiring): printed once.
    public func addAdminToken(name: String, role: String = "admin", lifetimeDays: Int = 90) async throws -> String {
        do {
            return try await access.issueToken(name: name, role: role, lifetimeDays: lifetimeDays).secret
        } catch let failure as AdminFailure {
            throw Failure(failure.description)
        }
    }
}
