/// Why an XML message was refused. The cases are safe to log; none carries message content.
public enum XMLError: Error, Equatable, Sendable {
    /// The native libraries could not be initialised (missing libxmlsec1-openssl?).
    case libraryUnavailable
    /// The document is larger than the configured limit.
    case tooLarge(limit: Int)
    /// The document is not well-formed XML.
    case malformed
    /// The document has a DOCTYPE or entity declarations, which are never accepted.
    case doctypeRefused
    /// No signature where one is required, or more than one.
    case signatureMissing
    /// The signature does not verify with any trusted key, or uses a refused algorithm or reference.
    case signatureInvalid(String)
    /// A key or certificate could not be loaded.
    case badKey(String)
    /// Signing failed.
    case signingFailed(String)
    /// Encryption failed; nothing encrypted may be sent.
    case encryptionFailed(String)
    /// Decryption failed: wrong key, tampered ciphertext, or a shape or algorithm outside the allow-list.
    case decryptionFailed(String)
}
