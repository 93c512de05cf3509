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
