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
        let key = try XMLVerificationKey(certificate: certificate)
        // RSA-OAEP key transport (XML Encryption 1.1 §5.5.2) needs an RSA key.
        guard try CertificateSummary(certificate: key.certificateBase64).keyType == .rsa else {
            throw .badKey("the encryption certificate does not hold an RSA key")
        }
        handle = key.handle
        certificateBase64 = key.certificateBase64
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
