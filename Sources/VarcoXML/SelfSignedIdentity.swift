import Foundation
import CXMLSecShim

/// A freshly generated RSA key and self-signed certificate, PEM encoded. Used on first start for
/// the SAML signing key and the demo TLS certificate, and by tests.
public struct SelfSignedIdentity: Sendable {
    public let privateKeyPEM: String
    public let certificatePEM: String

    public init(privateKeyPEM: String, certificatePEM: String) {
        self.privateKeyPEM = privateKeyPEM
        self.certificatePEM = certificatePEM
    }

    public static func generate(commonName: String, bits: Int = 2048, days: Int = 3650) throws(XMLError) -> SelfSignedIdentity {
        try XMLSecurity.ensure()
        var key: UnsafeMutablePointer<CChar>?
        var cert: UnsafeMutablePointer<CChar>?
        guard varco_generate_self_signed(Int32(bits), commonName, Int32(days), &key, &cert) == 0,
              let key, let cert else {
            throw .badKey("OpenSSL could not generate a key pair")
        }
        defer { varco_xml_free(key); varco_xml_free(cert) }
        return SelfSignedIdentity(privateKeyPEM: String(cString: key), certificatePEM: String(cString: cert))
    }
}

extension SelfSignedIdentity {
    /// A self-signed certificate with a chosen subject and extensions (e.g. the SPID service-provider
    /// profile of AgID Avviso 29 v3). `subject` is a list of (field name or dotted OID, value);
    /// `extensions` a list of (OpenSSL extension name, configuration value).
    public static func generate(subject: [(String, String)], extensions: [(String, String)],
                                bits: Int = 3072, days: Int = 730) throws(XMLError) -> SelfSignedIdentity {
        try XMLSecurity.ensure()
        let subjectFields = subject.flatMap { [$0.0, $0.1] }
        let extensionFields = extensions.flatMap { [$0.0, $0.1] }
        var key: UnsafeMutablePointer<CChar>?
        var cert: UnsafeMutablePointer<CChar>?
        let status = withCStrings(subjectFields) { subjectPointers in
            withCStrings(extensionFields) { extensionPointers in
                varco_generate_certificate(Int32(bits), Int32(days), subjectPointers, Int32(subject.count),
                                           extensionPointers, Int32(extensions.count), &key, &cert)
            }
        }
        guard status == 0, let key, let cert else {
            throw .badKey("OpenSSL could not generate the certificate (check the subject fields and extensions)")
        }
        defer { varco_xml_free(key); varco_xml_free(cert) }
        return SelfSignedIdentity(privateKeyPEM: String(cString: key), certificatePEM: String(cString: cert))
    }

    private static func withCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> T) -> T {
        let duplicated = strings.map { strdup($0) }
        defer { duplicated.forEach { free($0) } }
        let pointers = duplicated.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
