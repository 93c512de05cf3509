import Crypto
import _CryptoExtras
import Foundation
import VarcoCore

/// The provider's token-signing keys: RS256 (the algorithm every OIDC client supports) and ES256.
/// Key ids are RFC 7638 thumbprints, so they change exactly when the key does.
public struct SigningKeys: Sendable {
    public enum Algorithm: String, Sendable, Codable { case rs256 = "RS256", es256 = "ES256" }

    let rsa: _RSA.Signing.PrivateKey
    /// P-256 keys are not Sendable: the raw scalar is kept and the key rebuilt when used.
    let ecScalar: Data
    var ec: P256.Signing.PrivateKey {
        // The scalar came from a valid key in init: this cannot fail.
        try! P256.Signing.PrivateKey(rawRepresentation: ecScalar)
    }
    public let rsaKeyID: String
    public let ecKeyID: String
    /// Public keys published beside the active ones during a rollover (the next key before it signs,
    /// the previous one while tokens it signed may still be presented), by key id.
    let publishedRSA: [String: _RSA.Signing.PublicKey]
    let publishedEC: [String: Data]

    /// - Parameter publishedPublicKeyPEMs: extra RSA or P-256 public keys (PEM) to publish and accept.
    public init(rsaPrivateKeyPEM: String, ecPrivateKeyPEM: String, publishedPublicKeyPEMs: [String] = []) throws {
        rsa = try _RSA.Signing.PrivateKey(pemRepresentation: rsaPrivateKeyPEM)
        let ecKey = try P256.Signing.PrivateKey(pemRepresentation: ecPrivateKeyPEM)
        ecScalar = ecKey.rawRepresentation
        rsaKeyID = try JWK.rsa(rsa.publicKey, keyID: nil).thumbprint()
        ecKeyID = JWK.ec(ecKey.publicKey, keyID: nil).thumbprint()
        var publishedRSA: [String: _RSA.Signing.PublicKey] = [:]
        var publishedEC: [String: Data] = [:]
        for pem in publishedPublicKeyPEMs {
            if let key = Self.rsaPublicKey(pem: pem) {
                publishedRSA[try JWK.rsa(key, keyID: nil).thumbprint()] = key
            } else if let key = try? P256.Signing.PublicKey(pemRepresentation: pem) {
                publishedEC[JWK.ec(key, keyID: nil).thumbprint()] = key.rawRepresentation
            } else {
                throw SigningKeysError.unreadablePublishedKey
            }
        }
        let activeRSA = rsaKeyID, activeEC = ecKeyID
        self.publishedRSA = publishedRSA.filter { $0.key != activeRSA }
        self.publishedEC = publishedEC.filter { $0.key != activeEC }
    }

    /// A new 2048-bit RSA private key, PEM (PKCS#8/PKCS#1 as swift-crypto writes it).
    public static func generateRSAPrivateKeyPEM() throws -> String {
        try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
    }

    public static func generateECPrivateKeyPEM() -> String {
        P256.Signing.PrivateKey().pemRepresentation
    }

    /// The public keys as a JWK Set (RFC 7517 §5), built from the key primitives.
    public func jwks() throws -> JWKSet {
        let extra = try publishedRSA.sorted { $0.key < $1.key }.map { try JWK.rsa($0.value, keyID: $0.key) }
            + publishedEC.sorted { $0.key < $1.key }.compactMap { entry in
                (try? P256.Signing.PublicKey(rawRepresentation: entry.value)).map { JWK.ec($0, keyID: entry.key) }
            }
        return JWKSet(keys: [try JWK.rsa(rsa.publicKey, keyID: rsaKeyID), JWK.ec(ec.publicKey, keyID: ecKeyID)] + extra)
    }

    /// A compact JWS (RFC 7515 §7.1) of `claims`.
    public func sign(_ claims: some Encodable, type: String = "JWT", algorithm: Algorithm = .rs256) throws -> String {
        let header = JWSHeader(alg: algorithm.rawValue, kid: algorithm == .rs256 ? rsaKeyID : ecKeyID, typ: type)
        let input = Base64URL.encode(Array(JSONText.data(header))) + "." + Base64URL.encode(Array(JSONText.data(claims)))
        let signature: [UInt8]
        switch algorithm {
        case .rs256: signature = Array(try rsa.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5).rawRepresentation)
        case .es256: signature = Array(try ec.signature(for: Data(input.utf8)).rawRepresentation)
        }
        return input + "." + Base64URL.encode(signature)
    }

    /// The payload of a compact JWS this provider signed, if the signature verifies with one of its
    /// keys and the header names the expected type; nil otherwise. Nothing else is trusted.
    public func verifiedPayload(_ token: String, type: String) -> Data? {
        guard token.utf8.count <= 16 * 1024 else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payload = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              let header = try? JSONDecoder().decode(JWSHeader.self, from: Data(headerBytes)), header.typ == type else { return nil }
        let input = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        switch (header.alg, header.kid) {
        case (Algorithm.rs256.rawValue, rsaKeyID):
            guard rsa.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input,
                                                 padding: .insecurePKCS1v1_5) else { return nil }
        case (Algorithm.es256.rawValue, ecKeyID):
            guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
                  ec.publicKey.isValidSignature(parsed, for: input) else { return nil }
        case (Algorithm.rs256.rawValue, let kid?) where publishedRSA[kid] != nil:
            guard publishedRSA[kid]!.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input,
                                                      padding: .insecurePKCS1v1_5) else { return nil }
        case (Algorithm.es256.rawValue, let kid?) where publishedEC[kid] != nil:
            guard let raw = publishedEC[kid], let key = try? P256.Signing.PublicKey(rawRepresentation: raw),
                  let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
                  key.isValidSignature(parsed, for: input) else { return nil }
        default:
            return nil
        }
        return Data(payload)
    }
}

public enum SigningKeysError: Error, CustomStringConvertible {
    case unreadablePublishedKey

    public var description: String {
        "a published key file is neither an RSA nor a P-256 public key in PEM: check the oidc-published-*.pem files"
    }
}

struct JWSHeader: Codable, Sendable {
    let alg: String
    let kid: String?
    let typ: String?
}
