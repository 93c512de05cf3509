import Foundation
import VarcoCore

extension OIDCProvider {
    /// The token endpoint (RFC 6749 §3.2): `authorization_code` and `refresh_token` grants.
    /// `body` is the form body, `authorization` the Authorization header if any.
    public func token(body: Substring, authorization: String?) async -> (OAuthJSONResponse, OAuthError?) {
        do {
            let form: URLEncodedForm
            do { form = try URLEncodedForm(body, maxLength: 16 * 1024) } catch {
                throw OAuthError.invalidRequest("the request is malformed or repeats a parameter", detail: "\(error)")
            }
            let caller = try await clientAuthenticator.authenticate(form: form, authorization: authorization)
            let response: TokenResponse
            switch form["grant_type"] {
            case "authorization_code": response = try await redeemCode(form, caller: caller)
            case "refresh_token": response = try await refresh(form, caller: caller)
            case nil: throw OAuthError.invalidRequest("grant_type is missing")
            case let other?: throw OAuthError.unsupportedGrantType("grant_type \(other)")
            }
            return (.ok(response), nil)
        } catch let error as OAuthError {
            return (.error(error, basicChallenge: error.code == .invalidClient && authorization != nil), error)
        } catch {
            let failure = OAuthError.backend(error, while: "answering")
            return (.error(failure), failure)
        }
    }

    /// §4.1.3: the code is single use; a second use revokes everything issued from it (§4.1.2).
    func redeemCode(_ form: URLEncodedForm, caller: ClientAuthenticator.Authenticated) async throws -> TokenResponse {
        guard let value = form["code"], value.utf8.count <= 256 else { throw OAuthError.invalidRequest("code is missing") }
        let code: OAuthCode
        switch try await grants.redeemCode(hash: Self.hash(value)) {
        case .unknown: throw OAuthError.invalidGrant("unknown code")
        case .replayed(let used):
            try await grants.revokeGrant(id: used.grantID)
            throw OAuthError.invalidGrant("code used twice: grant \(used.grantID) revoked")
        case .redeemed(let redeemed): code = redeemed
        }
        guard code.clientID == caller.client.clientID else { throw OAuthError.invalidGrant("code issued to another client") }
        guard clock.now() < code.expires else { throw OAuthError.invalidGrant("code expired") }
        guard form["redirect_uri"] == code.redirectURI else { throw OAuthError.invalidGrant("redirect_uri differs from the authorization request") }
        try PKCE.verify(verifier: form["code_verifier"], challenge: code.codeChallenge)
        guard let grant = try await grants.grant(id: code.grantID), grant.isActive(at: clock.now()) else {
            throw OAuthError.invalidGrant("grant revoked or expired")
        }
        return try await tokens(for: grant, scopes: grant.scopes, withNonce: true)
    }

    /// §6 with rotation: each refresh token works once; presenting a used one revokes the grant
    /// (OAuth 2.0 Security BCP §4.14.2).
    func refresh(_ form: URLEncodedForm, caller: ClientAuthenticator.Authenticated) async throws -> TokenResponse {
        guard let value = form["refresh_token"], value.utf8.count <= 256 else { throw OAuthError.invalidRequest("refresh_token is missing") }
        let token: OAuthRefreshToken
        switch try await grants.redeemRefreshToken(hash: Self.hash(value)) {
        case .unknown: throw OAuthError.invalidGrant("unknown refresh token")
        case .replayed(let used):
            try await grants.revokeGrant(id: used.grantID)
            throw OAuthError.invalidGrant("refresh token used twice: grant \(used.grantID) revoked")
        case .redeemed(let redeemed): token = redeemed
        }
        guard token.clientID == caller.client.clientID else { throw OAuthError.invalidGrant("refresh token of another client") }
        guard clock.now() < token.expires else { throw OAuthError.invalidGrant("refresh token expired") }
        guard let grant = try await grants.grant(id: token.grantID), grant.isActive(at: clock.now()) else {
            throw OAuthError.invalidGrant("grant revoked or expired")
        }
        var scopes = grant.scopes
        if let requested = form["scope"] {
            let narrowed = requested.split(separator: " ").map(String.init)
            guard Set(narrowed).isSubset(of: Set(grant.scopes)) else { throw OAuthError.invalidScope("scope exceeds the original grant") }
            scopes = narrowed
        }
        return try await tokens(for: grant, scopes: scopes, withNonce: false)
    }

    /// An access token, an ID token and the next refresh token of a grant.
    func tokens(for grant: OAuthGrant, scopes: [String], withNonce: Bool) async throws -> TokenResponse {
        let now = clock.now()
        let subject = subject(for: grant.citizen, clientID: grant.clientID)
        let amr = AuthenticationMethodReferences.values(for: grant.method)
        let access = AccessTokenClaims(iss: configuration.issuer, sub: subject, aud: configuration.issuer,
                                       exp: now.addingTimeInterval(configuration.accessTokenLifetime).epochSeconds, iat: now.epochSeconds,
                                       jti: "\(grant.id).\(random.token(byteCount: 16))", client_id: grant.clientID,
                                       scope: scopes.joined(separator: " "), auth_time: grant.authTime.epochSeconds,
                                       acr: grant.level.uri, amr: amr)
        let id = IDTokenClaims(iss: configuration.issuer, sub: subject, aud: grant.clientID,
                               exp: now.addingTimeInterval(configuration.idTokenLifetime).epochSeconds, iat: now.epochSeconds,
                               auth_time: grant.authTime.epochSeconds, nonce: withNonce ? grant.nonce : nil, acr: grant.level.uri,
                               amr: amr, sid: grant.sessionID, azp: grant.clientID)
        let refresh = random.token()
        let refreshExpiry = min(now.addingTimeInterval(configuration.refreshTokenLifetime), grant.expires)
        try await grants.insert(OAuthRefreshToken(hash: Self.hash(refresh), grantID: grant.id, clientID: grant.clientID, expires: refreshExpiry))
        return TokenResponse(access_token: try keys.sign(access, type: "at+jwt"), token_type: "Bearer",
                             expires_in: Int(configuration.accessTokenLifetime), id_token: try keys.sign(id),
                             refresh_token: refresh, scope: scopes.joined(separator: " "))
    }

    /// The claims of an access token this provider issued, if it verifies, is live and its grant is.
    public func validAccessToken(_ token: String) async throws -> (AccessTokenClaims, OAuthGrant)? {
        guard let payload = keys.verifiedPayload(token, type: "at+jwt"),
              let claims = try? JSONDecoder().decode(AccessTokenClaims.self, from: payload),
              claims.iss == configuration.issuer, clock.now().epochSeconds < claims.exp,
              let grantID = claims.grantID, let grant = try await grants.grant(id: grantID), grant.isActive(at: clock.now()),
              grant.clientID == claims.client_id else { return nil }
        return (claims, grant)
    }
}
