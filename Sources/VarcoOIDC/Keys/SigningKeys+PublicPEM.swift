import Crypto
import Foundation
import _CryptoExtras

extension SigningKeys {
    /// The public key (PEM) of an RSA or P-256 private key in PEM, to publish it during a rollover.
    public static func publicKeyPEM(ofPrivateKeyPEM pem: String) throws -> String {
        if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) { return key.publicKey.pemRepresentation }
        return try P256.Signing.PrivateKey(pemRepresentation: pem).publicKey.pemRepresentation
    }

    /// The key id (RFC 7638 thumbprint) of an RSA or P-256 public key in PEM; nil for anything else.
    public static func keyID(ofPublicKeyPEM pem: String) -> String? {
        if let key = rsaPublicKey(pem: pem) { return try? JWK.rsa(key, keyID: nil).thumbprint() }
        return (try? P256.Signing.PublicKey(pemRepresentation: pem)).map { JWK.ec($0, keyID: nil).thumbprint() }
    }

    /// An RSA public key (SubjectPublicKeyInfo in PEM), or nil. Only a key whose SubjectPublicKeyInfo names
    /// rsaEncryption is handed to swift-crypto: its RSA public-key parser frees its key twice when the input is
    /// something else (an EC key, say), which aborts the process now and then.
    static func rsaPublicKey(pem: String) -> _RSA.Signing.PublicKey? {
        let body = pem.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        guard pem.contains("-----BEGIN PUBLIC KEY-----"), let der = Data(base64Encoded: body),
              der.range(of: rsaEncryptionOID) != nil else { return nil }
        return try? _RSA.Signing.PublicKey(pemRepresentation: pem)
    }

    /// The DER of OID 1.2.840.113549.1.1.1 (rsaEncryption).
    private static let rsaEncryptionOID = Data([0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01])
}
