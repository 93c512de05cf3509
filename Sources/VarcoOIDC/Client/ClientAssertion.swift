import Crypto
import _CryptoExtras
import Foundation
import VarcoCore

/// `private_key_jwt` client authentication (RFC 7523 §2.2, OIDC Core §9): a JWT signed with a key the
/// client registered, whose `iss` and `sub` are the client_id, `aud` the token endpoint (or the
/// issuer), `exp` soon, and `jti` used once.
struct ClientAssertion: Sendable {
    static let type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// An assertion may not be valid for longer than this (it must be short-lived).
    static let maximumLifetime: TimeInterval = 10 * 60
    static let clockSkew: TimeInterval = 30

    struct Claims: Decodable, Sendable {
        let iss: String
        let sub: String
        let aud: [String]
        let exp: Int
        let iat: Int?
        let nbf: Int?
        let jti: String

        enum CodingKeys: String, CodingKey { case iss, sub, aud, exp, iat, nbf, jti }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            iss = try c.decode(String.self, forKey: .iss)
            sub = try c.decode(String.self, forKey: .sub)
            if let one = try? c.decode(String.self, forKey: .aud) { aud = [one] } else { aud = try c.decode([String].self, forKey: .aud) }
            exp = try c.decode(Int.self, forKey: .exp)
            iat = try c.decodeIfPresent(Int.self, forKey: .iat)
            nbf = try c.decodeIfPresent(Int.self, forKey: .nbf)
            jti = try c.decode(String.self, forKey: .jti)
        }
    }

    /// The client_id an assertion claims (its `sub`, which must equal `iss`), read before any check
    /// to find the client's keys.
    static func claimedClientID(_ token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 16 * 1024, parts.count == 3, let payload = Base64URL.decode(parts[1]),
              let claims = try? JSONDecoder().decode(Claims.self, from: Data(payload)), claims.iss == claims.sub else { return nil }
        return claims.sub
    }

    /// Checks the assertion of `client` completely; throws `invalid_client` with the reason in the detail.
    static func verify(_ token: String, client: ClientRegistration, audiences: [String], replay: any ReplayCache,
                       now: Date) async throws(OAuthError) {
        guard let keys = client.jwks?.keys, !keys.isEmpty else { throw .invalidClient("client \(client.clientID) registered no keys") }
        guard let payload = verifiedPayload(token, keys: keys) else { throw .invalidClient("client assertion signature does not verify") }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: payload) else { throw .invalidClient("client assertion claims are malformed") }
        guard claims.iss == client.clientID, claims.sub == client.clientID else { throw .invalidClient("client assertion iss/sub is not the client_id") }
        guard claims.aud.contains(where: { audiences.contains($0) }) else { throw .invalidClient("client assertion aud \(claims.aud) is not this provider") }
        let nowSeconds = now.timeIntervalSince1970
        guard Double(claims.exp) > nowSeconds - clockSkew else { throw .invalidClient("client assertion expired") }
        guard Double(claims.exp) <= nowSeconds + maximumLifetime else { throw .invalidClient("client assertion lives too long") }
        if let nbf = claims.nbf, Double(nbf) > nowSeconds + clockSkew { throw .invalidClient("client assertion not yet valid") }
        if let iat = claims.iat, Double(iat) > nowSeconds + clockSkew { throw .invalidClient("client assertion issued in the future") }
        guard !claims.jti.isEmpty, claims.jti.utf8.count <= 256 else { throw .invalidClient("client assertion jti is missing or too long") }
        let fresh: Bool
        do {
            fresh = try await replay.consume("oidc-client-assertion|\(client.clientID)|\(claims.jti)",
                                             expires: Date(timeIntervalSince1970: Double(claims.exp) + clockSkew), now: now)
        } catch { throw .backend(error, while: "replay cache") }
        guard fresh else { throw .invalidClient("client assertion jti already used") }
    }

    /// The payload, if the compact JWS verifies (RS256 or ES256) with one of `keys`.
    static func verifiedPayload(_ token: String, keys: [JWK]) -> Data? {
        guard token.utf8.count <= 16 * 1024 else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payload = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              let header = try? JSONDecoder().decode(JWSHeader.self, from: Data(headerBytes)) else { return nil }
        let input = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        let candidates = keys.filter { key in (header.kid == nil || key.kid == nil || key.kid == header.kid) && (key.use == nil || key.use == "sig") }
        for key in candidates {
            switch (header.alg, key.kty) {
            case ("RS256", "RSA"):
                guard let n = key.n.flatMap { Base64URL.decode($0) }, let e = key.e.flatMap { Base64URL.decode($0) },
                      let publicKey = try? _RSA.Signing.PublicKey(n: Data(n), e: Data(e)), publicKey.keySizeInBits >= 2048 else { continue }
                if publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5) {
                    return Data(payload)
                }
            case ("ES256", "EC"):
                guard key.crv == "P-256", let x = key.x.flatMap { Base64URL.decode($0) }, let y = key.y.flatMap { Base64URL.decode($0) },
                      x.count == 32, y.count == 32, let publicKey = try? P256.Signing.PublicKey(rawRepresentation: Data(x + y)),
                      let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { continue }
                if publicKey.isValidSignature(parsed, for: input) { return Data(payload) }
            default:
                continue
            }
        }
        return nil
    }
}
