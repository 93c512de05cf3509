import Foundation
import VarcoOIDC
import VarcoXML

/// Signing-key rollover in the data directory, in three steps, each put in use by a running Varco without a restart
/// (`SigningKeyRing`, `SigningKeyReload`):
/// 1. `generateNextKeys`: a next SAML key pair and next OIDC keys; their public parts are published (SAML metadata,
///    JWKS) while the current keys keep signing;
/// 2. `activateNextKeys`: the next keys sign; the previous public parts stay published;
/// 3. `retirePreviousKeys`: the previous public parts are no longer published.
/// Files: `saml-signing[-next|-previous]`, `oidc-{rs256,es256}[-next].key.pem`, `oidc-published-{next,previous}-*.pem`.
extension DataDirectory {
    struct KeyRolloverFailure: Error, CustomStringConvertible {
        let description: String
    }

    static let oidcAlgorithms = ["rs256", "es256"]

    /// The SAML certificates published beside the active one: the next (before it signs) and the previous (after).
    public func publishedSigningCertificatePEMs() -> [(state: String, pem: String)] {
        [("next", "saml-signing-next.crt.pem"), ("previous", "saml-signing-previous.crt.pem")].compactMap { state, name in
            (try? String(contentsOfFile: file(name), encoding: .utf8)).map { (state, $0) }
        }
    }

    var hasNextKeys: Bool { FileManager.default.fileExists(atPath: file("saml-signing-next.key.pem")) }
    var hasPreviousKeys: Bool {
        FileManager.default.fileExists(atPath: file("saml-signing-previous.crt.pem"))
            || Self.oidcAlgorithms.contains { FileManager.default.fileExists(atPath: file("oidc-published-previous-\($0).pem")) }
    }

    func generateNextKeys(commonName: String) throws {
        guard !hasNextKeys else { throw KeyRolloverFailure(description: "next keys already exist: activate them (`varco keys activate`) first") }
        guard !hasPreviousKeys else { throw KeyRolloverFailure(description: "the previous keys are still published: retire them (`varco keys retire`) first") }
        _ = try samlSigningIdentity(commonName: commonName)
        _ = try oidcSigningKeys()
        let saml = try SelfSignedIdentity.generate(commonName: commonName)
        try writePrivate(saml.privateKeyPEM, "saml-signing-next.key.pem")
        try saml.certificatePEM.write(toFile: file("saml-signing-next.crt.pem"), atomically: true, encoding: .utf8)
        for (algorithm, pem) in [("rs256", try SigningKeys.generateRSAPrivateKeyPEM()), ("es256", SigningKeys.generateECPrivateKeyPEM())] {
            try writePrivate(pem, "oidc-\(algorithm)-next.key.pem")
            try SigningKeys.publicKeyPEM(ofPrivateKeyPEM: pem).write(toFile: file("oidc-published-next-\(algorithm).pem"), atomically: true, encoding: .utf8)
        }
    }

    func activateNextKeys() throws {
        guard hasNextKeys else { throw KeyRolloverFailure(description: "there are no next keys: generate them (`varco keys generate-next`) and let the services read the new metadata first") }
        let fm = FileManager.default
        try replace(file("saml-signing-previous.crt.pem"), with: file("saml-signing.crt.pem"), copy: true)
        try replace(file("saml-signing.key.pem"), with: file("saml-signing-next.key.pem"))
        try replace(file("saml-signing.crt.pem"), with: file("saml-signing-next.crt.pem"))
        for algorithm in Self.oidcAlgorithms {
            let active = try String(contentsOfFile: file("oidc-\(algorithm).key.pem"), encoding: .utf8)
            try SigningKeys.publicKeyPEM(ofPrivateKeyPEM: active).write(toFile: file("oidc-published-previous-\(algorithm).pem"), atomically: true, encoding: .utf8)
            try replace(file("oidc-\(algorithm).key.pem"), with: file("oidc-\(algorithm)-next.key.pem"))
            try? fm.removeItem(atPath: file("oidc-published-next-\(algorithm).pem"))
        }
    }

    func retirePreviousKeys() throws {
        guard hasPreviousKeys else { throw KeyRolloverFailure(description: "no previous keys are published: nothing to retire") }
        try? FileManager.default.removeItem(atPath: file("saml-signing-previous.crt.pem"))
        for algorithm in Self.oidcAlgorithms { try? FileManager.default.removeItem(atPath: file("oidc-published-previous-\(algorithm).pem")) }
    }

    private func writePrivate(_ pem: String, _ name: String) throws {
        try pem.write(toFile: file(name), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file(name))
    }

    /// Puts `source` at `destination` (replacing it), moving it unless `copy`.
    private func replace(_ destination: String, with source: String, copy: Bool = false) throws {
        let fm = FileManager.default
        let temporary = destination + ".new"
        try? fm.removeItem(atPath: temporary)
        if copy { try fm.copyItem(atPath: source, toPath: temporary) } else { try fm.moveItem(atPath: source, toPath: temporary) }
        guard rename(temporary, destination) == 0 else {  // atomic, replacing what was there
            throw KeyRolloverFailure(description: "cannot write \(destination): check the data directory's permissions")
        }
    }
}
