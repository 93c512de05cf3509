import Crypto
import _CryptoExtras

extension SigningKeys {
    /// The public key (PEM) of an RSA or P-256 private key in PEM, to publish it during a rollover.
    public static func publicKeyPEM(ofPrivateKeyPEM pem: String) throws -> String {
        if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) { return key.publicKey.pemRepresentation }
        return try P256.Signing.PrivateKey(pemRepresentation: pem).publicKey.pemRepresentation
    }
}

extension SigningKeys {
    /// The key id (RFC 7638 thumbprint) of an RSA or P-256 public key in PEM; nil for anything else.
    public static func keyID(ofPublicKeyPEM pem: String) -> String? {
        if let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem) { return try? JWK.rsa(key, keyID: nil).thumbprint() }
        return (try? P256.Signing.PublicKey(pemRepresentation: pem)).map { JWK.ec($0, keyID: nil).thumbprint() }
    }
}
