import CXMLSec
import CXMLSecShim
import Foundation

/// The public key an element is encrypted to: an RSA certificate from a service's metadata
/// (KeyDescriptor use="encryption"). Never from the message.
public final class XMLEncryptionCertificate: Sendable {
    /// The certificate, DER, base64 without line breaks.
    public let certificateBase64: String
    let handle: XMLSecKeyHandle

    /// - Parameter certificate: PEM, or the base64 DER found in ds:X509Certificate.
    public init(certificate: String) throws(XMLError) {
        try XMLSecurity.ensure()
        let base64 = PEM.derBase64(certificate) ?? certificate.filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: base64), !der.isEmpty,
              let key = XMLSecKeyHandle.load(Array(der), format: xmlSecKeyDataFormatCertDer) else {
            throw .badKey("not an X.509 certificate")
        }
        // RSA-OAEP key transport (XML Encryption 1.1 §5.5.2) needs an RSA key.
        guard try CertificateSummary(certificate: base64).keyType == .rsa else {
            throw .badKey("the encryption certificate does not hold an RSA key")
        }
        handle = key
        certificateBase64 = base64
    }
}

/// The private key that decrypts what was encrypted to its certificate (the service provider's side).
public final class XMLDecryptionKey: Sendable {
    let handle: XMLSecKeyHandle

    public init(privateKeyPEM: String) throws(XMLError) {
        try XMLSecurity.ensure()
        guard let key = XMLSecKeyHandle.load(Array(privateKeyPEM.utf8), format: xmlSecKeyDataFormatPem) else {
            throw .badKey("the private key is not a PEM RSA key")
        }
        handle = key
    }
}
