import Crypto
import _CryptoExtras

extension SigningKeys {
    /// The public key (PEM) of an RSA or P-256 private key in PEM, to publish it during a rollover.
    public static func publicKeyPEM(ofPrivateKeyPEM pem: String) throws -> String {
        if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) { return key.publicKey.pemRepresentation }
        return try P256.Signing.PrivateKey(pemRepresentation: pem).publicKey.pemRepresentation
    }
}
