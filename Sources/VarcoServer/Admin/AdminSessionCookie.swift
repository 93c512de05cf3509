import Crypto
import Foundation
import Hummingbird
import VarcoCore

/// The console's own cookie, `varco_admin`, path `/admin`, SameSite=Strict: who signed in, at which level and when.
/// It is sealed with an HMAC under a secret of the data directory, so it needs no storage; the roles are read from
/// the store at every request, so a revoked role takes effect at once.
struct AdminSessionCookie: Sendable {
    static let name = "varco_admin"
    static let path = "/admin"

    struct Claims: Codable, Sendable, Equatable {
        /// Codice fiscale.
        var cf: String
        var level: LevelOfAssurance
        /// When the administrator proved who they are.
        var auth: Date
        /// A random value, the base of the console's CSRF token.
        var nonce: String
        /// For the one-time ticket that carries a login back to the console: the browser it belongs to.
        var browser: String?
    }

    let secret: [UInt8]

    init(secret: [UInt8]) { self.secret = secret }

    func seal(_ claims: Claims, purpose: String) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let payload = Base64URL.encode(Array((try? encoder.encode(claims)) ?? Data()))
        return payload + "." + mac(payload, purpose)
    }

    func open(_ value: String, purpose: String) -> Claims? {
        guard value.utf8.count <= 2048 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, ConstantTime.equal(mac(String(parts[0]), purpose), String(parts[1])),
              let bytes = Self.decode(String(parts[0])) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(Claims.self, from: Data(bytes))
    }

    /// The console's CSRF token: bound to this cookie, unknown to any other site.
    func csrf(_ claims: Claims) -> String { mac(claims.nonce + claims.cf, "csrf") }

    private func mac(_ payload: String, _ purpose: String) -> String {
        Base64URL.encode(Array(HMAC<SHA256>.authenticationCode(for: Data((purpose + ":" + payload).utf8), using: SymmetricKey(data: secret))))
    }

    private static func decode(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ $0 == 45 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }) else {
            return nil
        }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }

    static func cookie(_ value: String) -> Cookie {
        Cookie(name: name, value: value, path: path, secure: true, httpOnly: true, sameSite: .strict)
    }

    static func clear() -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: path, secure: true, httpOnly: true, sameSite: .strict)
    }
}
