import Foundation
import VarcoXML

/// The data directory: database, keys and secrets. A first start creates what is missing;
/// private keys are written with mode 0600.
public struct DataDirectory: Sendable {
    public let path: String
    /// Whether a missing key or secret is generated (a start, a rollover step) or is an error: a running node reading
    /// its key files again must never write new ones, e.g. while the files are being copied to it.
    let createsMissing: Bool

    /// A key or secret file that is absent (or unreadable) where nothing may be generated.
    struct MissingFile: Error, CustomStringConvertible {
        let name: String
        var description: String { "\(name) is missing or unreadable in the data directory" }
    }

    public init(path: String, createsMissing: Bool = true) throws {
        self.path = path
        self.createsMissing = createsMissing
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    public var databasePath: String { file("varco.sqlite") }

    /// The SAML signing key pair (active), generated on first use.
    public func samlSigningIdentity(commonName: String) throws -> SelfSignedIdentity {
        try identity(named: "saml-signing", commonName: commonName)
    }

    /// The next signing certificate, published beside the active one during a key rollover, if present.
    public func nextSigningCertificatePEM() -> String? {
        try? String(contentsOfFile: file("saml-signing-next.crt.pem"), encoding: .utf8)
    }

    public func tlsIdentity(commonName: String) throws -> SelfSignedIdentity {
        try identity(named: "tls", commonName: commonName)
    }

    /// A random secret of 32 bytes kept across restarts (pairwise NameIDs).
    public func secret(named name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: file("\(name).secret"))
        if let data = try? Data(contentsOf: url), data.count == 32 { return Array(data) }
        guard createsMissing else { throw MissingFile(name: "\(name).secret") }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        return bytes
    }

    func identity(named name: String, commonName: String) throws -> SelfSignedIdentity {
        let keyPath = file("\(name).key.pem"), certPath = file("\(name).crt.pem")
        if let key = try? String(contentsOfFile: keyPath, encoding: .utf8),
           let cert = try? String(contentsOfFile: certPath, encoding: .utf8) {
            return SelfSignedIdentity(privateKeyPEM: key, certificatePEM: cert)
        }
        guard createsMissing else { throw MissingFile(name: "\(name).key.pem or \(name).crt.pem") }
        let generated = try SelfSignedIdentity.generate(commonName: commonName)
        try generated.privateKeyPEM.write(toFile: keyPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        try generated.certificatePEM.write(toFile: certPath, atomically: true, encoding: .utf8)
        return generated
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}
