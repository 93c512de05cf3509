import Foundation
import Testing
import VarcoCore
@testable import VarcoOIDC

@Suite struct TokenEndpointTests {
    @Test func codeExchangeGivesSignedTokensWithTheExpectedClaims() async throws {
        let f = try await OIDCFixture()
        let (answer, error) = await f.exchange(try await f.code())
        #expect(error == nil && answer.status == 200)
        let tokens = try OIDCFixture.tokens(answer)
        let idToken = try #require(tokens.id_token)
        let payload = try #require(OIDCFixture.keys.verifiedPayload(idToken, type: "JWT"))
        let id = try JSONDecoder().decode(IDTokenClaims.self, from: payload)
        #expect(id.iss == "https://idp.test" && id.aud == "conf" && id.nonce == "n-1" && id.acr == LevelOfAssurance.spidL2.uri)
        #expect(id.amr == ["pwd", "otp", "mfa"] && id.sid != "session-1" && id.exp > id.iat)
        #expect(id.sub == f.provider.subject(for: OIDCFixture.rossi, clientID: "conf"))
        #expect(id.sub != f.provider.subject(for: OIDCFixture.rossi, clientID: "pub"))
        #expect(OIDCFixture.keys.verifiedPayload(tokens.access_token, type: "at+jwt") != nil)
        #expect(OIDCFixture.keys.verifiedPayload(tokens.access_token, type: "JWT") == nil)
    }

    @Test func clientSecretPostAndPublicClients() async throws {
        let f = try await OIDCFixture()
        #expect(await f.exchange(try await f.code(client: "post"), client: "post").0.status == 200)
        #expect(await f.exchange(try await f.code(client: "pub"), client: "pub").0.status == 200)
    }

    @Test func wrongSecretIsInvalidClient() async throws {
        let f = try await OIDCFixture()
        let (answer, error) = await f.exchange(try await f.code(), secret: "wrong")
        #expect(error?.code == .invalidClient && answer.status == 401 && answer.headers["WWW-Authenticate"] != nil)
        #expect(!answer.body.contains("wrong secret"))  // the detail is for the log only
    }

    @Test func registeredMethodIsEnforced() async throws {
        let f = try await OIDCFixture()
        let body = OIDCFixture.query([("grant_type", "authorization_code"), ("code", try await f.code()), ("redirect_uri", OIDCFixture.redirect),
                                      ("code_verifier", OIDCFixture.verifier), ("client_id", "conf"), ("client_secret", OIDCFixture.secret)])
        #expect(await f.provider.token(body: body, authorization: nil).1?.code == .invalidClient)
    }

    @Test func missingOrWrongVerifierIsInvalidGrant() async throws {
        let f = try await OIDCFixture()
        #expect(await f.exchange(try await f.code(), verifier: nil).1?.code == .invalidGrant)
        #expect(await f.exchange(try await f.code(), verifier: String(repeating: "a", count: 43)).1?.code == .invalidGrant)
        #expect(await f.exchange(try await f.code(pkce: false), verifier: OIDCFixture.verifier).1?.code == .invalidGrant)
    }

    @Test func reusedCodeFailsAndRevokesWhatItIssued() async throws {
        let f = try await OIDCFixture()
        let code = try await f.code()
        let tokens = try OIDCFixture.tokens(await f.exchange(code).0)
        #expect(await f.exchange(code).1?.code == .invalidGrant)
        #expect(try await f.provider.validAccessToken(tokens.access_token) == nil)
        let refresh = OIDCFixture.query([("grant_type", "refresh_token"), ("refresh_token", try #require(tokens.refresh_token))])
        #expect(await f.provider.token(body: refresh, authorization: OIDCFixture.basic("conf")).1?.code == .invalidGrant)
    }

    @Test func expiredCodeIsInvalidGrant() async throws {
        let f = try await OIDCFixture()
        let code = try await f.code()
        f.clock.advance(by: 61)
        #expect(await f.exchange(code).1?.code == .invalidGrant)
    }

    @Test func codeOfAnotherClientIsInvalidGrant() async throws {
        let f = try await OIDCFixture()
        #expect(await f.exchange(try await f.code(client: "pub"), client: "conf").1?.code == .invalidGrant)
    }

    @Test func refreshTokensRotateAndReuseRevokesTheGrant() async throws {
        let f = try await OIDCFixture()
        let first = try OIDCFixture.tokens(await f.exchange(try await f.code()).0)
        let refresh = { (token: String) in OIDCFixture.query([("grant_type", "refresh_token"), ("refresh_token", token)]) }
        let (answer, error) = await f.provider.token(body: refresh(try #require(first.refresh_token)), authorization: OIDCFixture.basic("conf"))
        #expect(error == nil)
        let second = try OIDCFixture.tokens(answer)
        #expect(second.refresh_token != first.refresh_token)
        // The old token again: refused, and the whole grant dies, including the new refresh token.
        #expect(await f.provider.token(body: refresh(first.refresh_token!), authorization: OIDCFixture.basic("conf")).1?.code == .invalidGrant)
        #expect(await f.provider.token(body: refresh(second.refresh_token!), authorization: OIDCFixture.basic("conf")).1?.code == .invalidGrant)
        #expect(try await f.provider.validAccessToken(second.access_token) == nil)
    }

    @Test func unknownGrantTypeAndDuplicates() async throws {
        let f = try await OIDCFixture()
        #expect(await f.provider.token(body: "grant_type=password", authorization: OIDCFixture.basic("conf")).1?.code == .unsupportedGrantType)
        #expect(await f.provider.token(body: "grant_type=a&grant_type=b", authorization: OIDCFixture.basic("conf")).1?.code == .invalidRequest)
    }

    @Test func userInfoIntrospectionAndRevocation() async throws {
        let f = try await OIDCFixture()
        let tokens = try OIDCFixture.tokens(await f.exchange(try await f.code()).0)
        let (info, _) = await f.provider.userInfo(authorization: "Bearer \(tokens.access_token)")
        let claims = try JSONDecoder().decode(UserInfo.self, from: Data(info.body.utf8))
        #expect(claims.fiscalNumber == "TINIT-RSSMRA80A01H501U" && claims.given_name == "Mario" && claims.birthdate == "1980-01-01")
        #expect(info.body.contains(#""https://attributes.eid.gov.it/fiscal_number":"TINIT-RSSMRA80A01H501U""#))
        #expect(await f.provider.userInfo(authorization: "Bearer nonsense").0.status == 401)

        let introspect = { (token: String) async in
            await f.provider.introspect(body: OIDCFixture.query([("token", token)]), authorization: OIDCFixture.basic("conf")).0.body
        }
        #expect(await introspect(tokens.access_token).contains(#""active":true"#))
        #expect(await introspect(tokens.refresh_token!).contains(#""active":true"#))
        #expect(await introspect("nonsense") == #"{"active":false}"#)

        let revoked = await f.provider.revoke(body: OIDCFixture.query([("token", tokens.refresh_token!)]), authorization: OIDCFixture.basic("conf"))
        #expect(revoked.0.status == 200)
        #expect(await introspect(tokens.access_token) == #"{"active":false}"#)
        #expect(await f.provider.userInfo(authorization: "Bearer \(tokens.access_token)").0.status == 401)
    }

    @Test func jwksIsBuiltFromTheKeys() throws {
        let set = try OIDCFixture.keys.jwks()
        #expect(set.keys.map(\.kty) == ["RSA", "EC"])
        #expect(set.keys[0].e == "AQAB" && set.keys[0].kid == OIDCFixture.keys.rsaKeyID)
        let es = try OIDCFixture.keys.sign(["a": "b"], algorithm: .es256)
        #expect(OIDCFixture.keys.verifiedPayload(es, type: "JWT") != nil)
        var tampered = es
        tampered.removeLast(2)
        tampered += "AA"
        #expect(OIDCFixture.keys.verifiedPayload(tampered, type: "JWT") == nil)
    }
}
