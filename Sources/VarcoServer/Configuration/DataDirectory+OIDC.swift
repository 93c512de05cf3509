import Foundation
import VarcoOIDC

extension DataDirectory {
    /// The OIDC token-signing keys (RS256 and ES256), generated on first use like the SAML key, plus the
    /// public keys of `oidc-published-*.pem`, published in the JWKS during a rollover.
    public func oidcSigningKeys() throws -> SigningKeys {
        let rsa = try privateKey(named: "oidc-rs256", generate: SigningKeys.generateRSAPrivateKeyPEM)
        let ec = try privateKey(named: "oidc-es256", generate: SigningKeys.generateECPrivateKeyPEM)
        let published = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            .filter { $0.hasPrefix("oidc-published-") && $0.hasSuffix(".pem") }.sorted()
            .compactMap { try? String(contentsOfFile: (path as NSString).appendingPathComponent($0), encoding: .utf8) }
        return try SigningKeys(rsaPrivateKeyPEM: rsa, ecPrivateKeyPEM: ec, publishedPublicKeyPEMs: published)
    }

    private func privateKey(named name: String, generate: () throws -> String) throws -> String {
        let keyPath = (path as NSString).appendingPathComponent("\(name).key.pem")
        if let pem = try? String(contentsOfFile: keyPath, encoding: .utf8) { return pem }
        guard createsMissing else { throw MissingFile(name: "\(name).key.pem") }
        let pem = try generate()
        try pem.write(toFile: keyPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        return pem
    }
}
