import Foundation
import VarcoCore
import VarcoSPID
import VarcoXML

extension DataDirectory {
    /// The signing key pair of Varco's SPID or CIE service provider (`spid-signing.*.pem`,
    /// `cie-signing.*.pem`): an AgID Avviso 29 v3 certificate, generated on first use.
    func upstreamSigningIdentity(_ endpoints: ServiceProviderEndpoints, settings: ServiceProviderSettings) throws -> SelfSignedIdentity {
        let name = "\(endpoints.kind.rawValue)-signing"
        if let key = try? String(contentsOfFile: file(named: "\(name).key.pem"), encoding: .utf8),
           let cert = try? String(contentsOfFile: file(named: "\(name).crt.pem"), encoding: .utf8) {
            return SelfSignedIdentity(privateKeyPEM: key, certificatePEM: cert)
        }
        return try writeUpstreamSigningIdentity(endpoints, settings: settings)
    }

    /// Generates and stores a new Avviso 29 v3 key pair for the SPID or CIE service provider.
    @discardableResult
    func writeUpstreamSigningIdentity(_ endpoints: ServiceProviderEndpoints, settings: ServiceProviderSettings) throws -> SelfSignedIdentity {
        let name = "\(endpoints.kind.rawValue)-signing"
        let generated = try ServiceProviderCertificate.generate(settings: settings, entityID: endpoints.entityID)
        let keyPath = file(named: "\(name).key.pem")
        try generated.privateKeyPEM.write(toFile: keyPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        try generated.certificatePEM.write(toFile: file(named: "\(name).crt.pem"), atomically: true, encoding: .utf8)
        return generated
    }

    func file(named name: String) -> String { (path as NSString).appendingPathComponent(name) }
}
