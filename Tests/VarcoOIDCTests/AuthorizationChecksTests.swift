import Foundation
import Testing
import VarcoCore
@testable import VarcoOIDC

@Suite struct AuthorizationChecksTests {
    func outcome(_ query: Substring) async throws -> AuthorizationOutcome {
        try await OIDCFixture().provider.authorize(parameters: query)
    }

    func redirectError(_ query: Substring) async throws -> (String, OAuthError.Code) {
        guard case .redirect(let location, let error) = try await outcome(query) else { Issue.record("expected a redirect"); return ("", .serverError) }
        return (location, error.code)
    }

    @Test func validRequestStartsALogin() async throws {
        guard case .login(let request, _) = try await outcome(OIDCFixture.authorization(extra: [("unknown_param", "x"), ("ui_locales", "it"),
                                                                                                ("acr_values", "https://www.spid.gov.it/SpidL2")])) else {
            Issue.record("expected a login"); return
        }
        #expect(request.scopes == ["openid", "profile"])
        #expect(request.state == "st-1" && request.nonce == "n-1" && request.codeChallenge == OIDCFixture.challenge)
        #expect(request.requirement(sessionAuthTime: nil, now: Date()).acceptableLevels == [.spidL2, .spidL3])
    }

    @Test func unknownClientGetsAnErrorPageNotARedirect() async throws {
        guard case .errorPage(let error) = try await outcome(OIDCFixture.authorization(client: "nobody")) else { Issue.record("redirected"); return }
        #expect(error.code == .invalidRequest)
    }

    @Test func redirectURIMismatchGetsAnErrorPageNotARedirect() async throws {
        let query = OIDCFixture.query([("client_id", "conf"), ("redirect_uri", "https://evil.example/cb"), ("response_type", "code"), ("scope", "openid")])
        guard case .errorPage = try await outcome(query) else { Issue.record("redirected to an unregistered URI"); return }
        let prefix = OIDCFixture.query([("client_id", "conf"), ("redirect_uri", OIDCFixture.redirect + "/x"), ("response_type", "token")])
        guard case .errorPage = try await outcome(prefix) else { Issue.record("prefix match accepted"); return }
    }

    @Test func duplicateParameterIsRefusedWithoutRedirect() async throws {
        guard case .errorPage = try await outcome(OIDCFixture.authorization(extra: [("client_id", "conf")])) else { Issue.record("accepted"); return }
    }

    @Test func errorsAfterTheRedirectURICarryStateAndIssuer() async throws {
        let (location, code) = try await redirectError(OIDCFixture.authorization(extra: [("response_type", "token")], without: ["response_type"]))
        #expect(code == .unsupportedResponseType)
        #expect(location.hasPrefix(OIDCFixture.redirect + "?error=unsupported_response_type"))
        #expect(location.contains("state=st-1") && location.contains("iss=https%3A%2F%2Fidp.test"))
    }

    @Test(arguments: [
        ("scope without openid", [("scope", "profile")], ["scope"], OAuthError.Code.invalidScope),
        ("missing response_type", [], ["response_type"], .invalidRequest),
        ("plain PKCE", [("code_challenge_method", "plain")], ["code_challenge_method"], .invalidRequest),
        ("malformed challenge", [("code_challenge", "short")], ["code_challenge"], .invalidRequest),
        ("unknown prompt", [("prompt", "select_account")], [], .invalidRequest),
        ("prompt none with login", [("prompt", "none login")], [], .invalidRequest),
        ("negative max_age", [("max_age", "-1")], [], .invalidRequest),
        ("unknown acr", [("acr_values", "urn:example:loa:4")], [], .invalidRequest),
        ("request object", [("request", "eyJ...")], [], .requestNotSupported),
        ("request_uri", [("request_uri", "https://rp/req")], [], .requestURINotSupported),
        ("response_mode fragment", [("response_mode", "fragment")], [], .invalidRequest),
    ] as [(String, [(String, String)], Set<String>, OAuthError.Code)])
    func refusedParameters(_ name: String, _ extra: [(String, String)], _ without: Set<String>, _ expected: OAuthError.Code) async throws {
        let (_, code) = try await redirectError(OIDCFixture.authorization(extra: extra, without: without))
        #expect(code == expected, "\(name)")
    }

    @Test func publicClientsMustUsePKCE() async throws {
        let (_, code) = try await redirectError(OIDCFixture.authorization(client: "pub", without: ["code_challenge", "code_challenge_method"]))
        #expect(code == .invalidRequest)
        guard case .login = try await outcome(OIDCFixture.authorization(client: "conf", without: ["code_challenge", "code_challenge_method"])) else {
            Issue.record("confidential client without PKCE refused"); return
        }
    }

    @Test func promptAndMaxAgeBecomeTheLoginRequirement() {
        var request = AuthorizationRequest(clientID: "c", redirectURI: "https://rp/cb", prompt: ["none"])
        let now = Date(timeIntervalSince1970: 1000)
        #expect(request.requirement(sessionAuthTime: now, now: now).isPassive)
        request.prompt = ["login"]
        #expect(request.requirement(sessionAuthTime: now, now: now).forceAuthn)
        request.prompt = []
        request.maxAge = 60
        #expect(!request.requirement(sessionAuthTime: now.addingTimeInterval(-30), now: now).forceAuthn)
        #expect(request.requirement(sessionAuthTime: now.addingTimeInterval(-61), now: now).forceAuthn)
        request.acrLevels = [.spidL3, .spidL2]
        #expect(request.requirement(sessionAuthTime: nil, now: now).acceptableLevels == [.spidL2, .spidL3])
    }

    @Test func loginFailuresMapToOIDCErrors() {
        #expect(OAuthError(LoginFailure.noPassive).code == .loginRequired)
        #expect(OAuthError(LoginFailure.cancelled).code == .accessDenied)
        #expect(OAuthError(LoginFailure.noAuthnContext).code == .unmetAuthenticationRequirements)
    }
}
