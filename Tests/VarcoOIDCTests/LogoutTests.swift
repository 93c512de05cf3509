import Foundation
import Testing
import VarcoCore
@testable import VarcoOIDC

/// RP-initiated logout checks and back-channel logout tokens.
@Suite struct LogoutTests {
    static let afterLogout = "https://rp.example.it/bye"

    func fixture() async throws -> OIDCFixture {
        let f = try await OIDCFixture()
        let registration = ClientRegistration(clientID: "slo", clientName: "slo", redirectURIs: [OIDCFixture.redirect],
                                              tokenEndpointAuthMethod: .clientSecretBasic, clientSecretSHA256: ClientRegistration.hashSecret(OIDCFixture.secret),
                                              postLogoutRedirectURIs: [Self.afterLogout], backchannelLogoutURI: "https://rp.example.it/bcl")
        try await f.parties.save(RelyingParty(id: "slo", kind: .oidcClient, displayName: "slo", metadata: registration.json,
                                              created: Date(timeIntervalSince1970: 0)))
        return f
    }

    func idToken(_ f: OIDCFixture) async throws -> String {
        let claims = IDTokenClaims(iss: "https://idp.test", sub: "s", aud: "slo", exp: 1, iat: 0, auth_time: 0, nonce: nil, acr: "a",
                                   amr: [], sid: "sid", azp: "slo")
        return try OIDCFixture.keys.sign(claims)
    }

    @Test func registeredPostLogoutRedirectGetsTheState() async throws {
        let f = try await fixture()
        let hint = try await idToken(f)  // expired: still a valid hint
        let decision = await f.provider.endSession(parameters: OIDCFixture.query([
            ("id_token_hint", hint), ("post_logout_redirect_uri", Self.afterLogout), ("state", "a b"),
        ]))
        #expect(decision == .logout(clientID: "slo", redirect: Self.afterLogout + "?state=a%20b"))
    }

    @Test func unregisteredOrUnattributedRedirectIsAnError() async throws {
        let f = try await fixture()
        let hint = try await idToken(f)
        for parameters in [
            [("id_token_hint", hint), ("post_logout_redirect_uri", Self.afterLogout + "/")],
            [("post_logout_redirect_uri", Self.afterLogout)],
            [("id_token_hint", hint), ("client_id", "conf")],
            [("id_token_hint", "x.y.z")],
        ] {
            guard case .error = await f.provider.endSession(parameters: OIDCFixture.query(parameters)) else {
                Issue.record("accepted \(parameters)"); continue
            }
        }
        #expect(await f.provider.endSession(parameters: OIDCFixture.query([("client_id", "slo"), ("post_logout_redirect_uri", Self.afterLogout)]))
            == .logout(clientID: "slo", redirect: Self.afterLogout))
        #expect(await f.provider.endSession(parameters: "") == .logout(clientID: nil, redirect: nil))
    }

    @Test func backChannelLogoutTokensGoToRegisteredOIDCClientsOnly() async throws {
        let f = try await fixture()
        let visits = [
            ServiceVisit(relyingParty: "slo", protocolName: "oidc", nameID: "pairwise-sub", nameIDFormat: "pairwise", sessionIndex: "sid-1",
                         instant: f.clock.now()),
            ServiceVisit(relyingParty: "conf", protocolName: "oidc", nameID: "x", nameIDFormat: "pairwise", sessionIndex: "sid-1", instant: f.clock.now()),
            ServiceVisit(relyingParty: "slo", protocolName: "saml", nameID: "x", nameIDFormat: "t", sessionIndex: "i", instant: f.clock.now()),
        ]
        let notices = await f.provider.backChannelLogouts(for: visits)
        #expect(notices.count == 1 && notices[0].clientID == "slo" && notices[0].uri == "https://rp.example.it/bcl")
        let payload = try #require(OIDCFixture.keys.verifiedPayload(notices[0].logoutToken, type: "logout+jwt"))
        let claims = try JSONDecoder().decode(LogoutTokenClaims.self, from: payload)
        #expect(claims.iss == "https://idp.test" && claims.aud == "slo" && claims.sub == "pairwise-sub" && claims.sid == "sid-1")
        #expect(!claims.jti.isEmpty && claims.iat == f.clock.now().epochSeconds)
        #expect(String(decoding: payload, as: UTF8.self).contains(#""http://schemas.openid.net/event/backchannel-logout":{}"#))
        let discovery = f.provider.discovery()
        #expect(discovery.end_session_endpoint == "https://idp.test/oidc/logout" && discovery.backchannel_logout_supported)
    }
}
