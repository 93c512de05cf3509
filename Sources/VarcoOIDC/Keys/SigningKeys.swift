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

    public init(rsaPrivateKeyPEM: String, ecPrivateKeyPEM: String) throws {
        rsa = try _RSA.Signing.PrivateKey(pemRepresentation: rsaPrivateKeyPEM)
        let ecKey = try P256.Signing.PrivateKey(pemRepresentation: ecPrivateKeyPEM)
        ecScalar = ecKey.rawRepresentation
        rsaKeyID = try JWK.rsa(rsa.publicKey, keyID: nil).thumbprint()
        ecKeyID = JWK.ec(ecKey.publicKey, keyID: nil).thumbprint()
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
        JWKSet(keys: [try JWK.rsa(rsa.publicKey, keyID: rsaKeyID), JWK.ec(ec.publicKey, keyID: ecKeyID)])
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
        default:
            return nil
        }
        return Data(payload)
    }
}

struct JWSHeader: Codable, Sendable {
    let alg: String
    let kid: String?
    let typ: String?
}
