import Foundation
import Testing
import VarcoCore
@testable import VarcoOIDC

/// `private_key_jwt` client authentication (RFC 7523).
@Suite struct PrivateKeyJWTTests {
    static let clientKeys = try! SigningKeys(rsaPrivateKeyPEM: SigningKeys.generateRSAPrivateKeyPEM(),
                                             ecPrivateKeyPEM: SigningKeys.generateECPrivateKeyPEM())
    static let otherKeys = try! SigningKeys(rsaPrivateKeyPEM: SigningKeys.generateRSAPrivateKeyPEM(),
                                            ecPrivateKeyPEM: SigningKeys.generateECPrivateKeyPEM())

    struct Assertion: Encodable {
        var iss = "jwt", sub = "jwt", aud = "https://idp.test/oidc/token"
        var exp: Int, iat: Int
        var jti = UUID().uuidString
    }

    func fixture() async throws -> OIDCFixture {
        let f = try await OIDCFixture()
        var registration = ClientRegistration(clientID: "jwt", clientName: "jwt", redirectURIs: [OIDCFixture.redirect],
                                              tokenEndpointAuthMethod: .privateKeyJWT, clientSecretSHA256: nil)
        registration.jwks = try Self.clientKeys.jwks()
        try await f.parties.save(RelyingParty(id: "jwt", kind: .oidcClient, displayName: "jwt", metadata: registration.json,
                                              created: Date(timeIntervalSince1970: 0)))
        return f
    }

    func assertion(_ f: OIDCFixture, keys: SigningKeys = clientKeys, algorithm: SigningKeys.Algorithm = .rs256,
                   _ change: (inout Assertion) -> Void = { _ in }) throws -> String {
        let now = f.clock.now().epochSeconds
        var claims = Assertion(exp: now + 60, iat: now)
        change(&claims)
        return try keys.sign(claims, algorithm: algorithm)
    }

    func exchange(_ f: OIDCFixture, _ assertion: String) async throws -> (OAuthJSONResponse, OAuthError?) {
        let code = try await f.code(client: "jwt")
        return await f.provider.token(body: OIDCFixture.query([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", OIDCFixture.redirect), ("code_verifier", OIDCFixture.verifier),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", assertion),
        ]), authorization: nil)
    }

    @Test func rs256AndES256AssertionsAuthenticate() async throws {
        let f = try await fixture()
        #expect(try await exchange(f, try assertion(f)).0.status == 200)
        #expect(try await exchange(f, try assertion(f, algorithm: .es256)).0.status == 200)
        // the issuer is an accepted audience too
        #expect(try await exchange(f, try assertion(f) { $0.aud = "https://idp.test" }).0.status == 200)
    }

    @Test func wrongAudienceIsRefused() async throws {
        let f = try await fixture()
        let (answer, error) = try await exchange(f, try assertion(f) { $0.aud = "https://other.test/token" })
        #expect(answer.status == 401 && error?.code == .invalidClient)
    }

    @Test func replayedJTIIsRefused() async throws {
        let f = try await fixture()
        let once = try assertion(f)
        #expect(try await exchange(f, once).0.status == 200)
        let (answer, error) = try await exchange(f, once)
        #expect(answer.status == 401 && error?.detail.contains("already used") == true)
    }

    @Test func expiredOrTooLongLivedIsRefused() async throws {
        let f = try await fixture()
        let old = try assertion(f)
        f.clock.advance(by: 120)
        #expect(try await exchange(f, old).1?.detail.contains("expired") == true)
        let long = try assertion(f) { $0.exp += 3600 }
        #expect(try await exchange(f, long).1?.detail.contains("too long") == true)
    }

    @Test func badSignatureOrWrongIssuerIsRefused() async throws {
        let f = try await fixture()
        #expect(try await exchange(f, try assertion(f, keys: Self.otherKeys)).1?.code == .invalidClient)
        var tampered = try assertion(f)
        tampered.removeLast(2)
        tampered += "AA"
        #expect(try await exchange(f, tampered).1?.code == .invalidClient)
        #expect(try await exchange(f, try assertion(f) { $0.iss = "conf"; $0.sub = "conf" }).1?.code == .invalidClient)
        #expect(try await exchange(f, try assertion(f) { $0.sub = "other" }).1?.code == .invalidClient)
    }

    @Test func secretClientsCannotUseAssertionsAndMethodsDoNotMix() async throws {
        let f = try await fixture()
        let body = OIDCFixture.query([("grant_type", "authorization_code"), ("code", try await f.code(client: "jwt")),
                                      ("redirect_uri", OIDCFixture.redirect), ("code_verifier", OIDCFixture.verifier),
                                      ("client_id", "jwt"), ("client_secret", "x")])
        #expect(await f.provider.token(body: body, authorization: nil).1?.code == .invalidClient)
        #expect(f.provider.discovery().token_endpoint_auth_methods_supported.contains("private_key_jwt"))
    }
}
