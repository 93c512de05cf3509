import Crypto
import _CryptoExtras
import Foundation
import VarcoCore

/// A public JSON Web Key (RFC 7517), RSA or EC P-256.
public struct JWK: Codable, Sendable, Equatable {
    public let kty: String
    public let kid: String?
    public let use: String?
    public let alg: String?
    public let n: String?
    public let e: String?
    public let crv: String?
    public let x: String?
    public let y: String?

    static func rsa(_ key: _RSA.Signing.PublicKey, keyID: String?) throws -> JWK {
        let primitives = try key.getKeyPrimitives()
        return JWK(kty: "RSA", kid: keyID, use: "sig", alg: "RS256", n: Base64URL.encode(unsignedBigEndian(primitives.modulus)),
                   e: Base64URL.encode(unsignedBigEndian(primitives.publicExponent)), crv: nil, x: nil, y: nil)
    }

    static func ec(_ key: P256.Signing.PublicKey, keyID: String?) -> JWK {
        let raw = Array(key.rawRepresentation)  // x || y, 32 bytes each
        return JWK(kty: "EC", kid: keyID, use: "sig", alg: "ES256", n: nil, e: nil, crv: "P-256",
                   x: Base64URL.encode(Array(raw[0..<32])), y: Base64URL.encode(Array(raw[32..<64])))
    }

    /// The RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order.
    func thumbprint() -> String {
        let canonical = kty == "RSA"
            ? #"{"e":"\#(e ?? "")","kty":"RSA","n":"\#(n ?? "")"}"#
            : #"{"crv":"\#(crv ?? "")","kty":"EC","x":"\#(x ?? "")","y":"\#(y ?? "")"}"#
        return Base64URL.encode(Array(SHA256.hash(data: Data(canonical.utf8))))
    }

    /// JWK integers carry no leading zero bytes (RFC 7518 §6.3.1.1).
    private static func unsignedBigEndian(_ data: Data) -> [UInt8] {
        let bytes = Array(data.drop { $0 == 0 })
        return bytes.isEmpty ? [0] : bytes
    }
}

/// A JWK Set: the document at the `jwks_uri`.
public struct JWKSet: Codable, Sendable, Equatable {
    public let keys: [JWK]
    public var json: String { JSONText.encode(self) }
}
