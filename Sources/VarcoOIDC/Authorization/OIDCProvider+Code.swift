import Foundation
import VarcoCore

extension OIDCProvider {
    /// What a successful login gives the client: the redirect with a new code, and the identifiers
    /// recorded in the SSO session for logout.
    public struct Issued: Sendable {
        public let redirect: String
        public let subject: String
        public let sessionIdentifier: String
    }

    /// A login finished: record the grant and send the client a single-use code for it.
    public func issueCode(for request: AuthorizationRequest, result: AuthnResult, sessionID: String) async throws -> Issued {
        let now = clock.now()
        let code = random.token()
        let sid = Self.sessionIdentifier(for: sessionID)
        let grant = OAuthGrant(id: random.token(byteCount: 16), clientID: request.clientID, citizen: result.citizen,
                               scopes: request.scopes, level: result.level, method: result.method, authTime: result.instant,
                               sessionID: sid, nonce: request.nonce, created: now, expires: now.addingTimeInterval(configuration.grantLifetime))
        try await grants.insert(grant, code: OAuthCode(hash: Self.hash(code), grantID: grant.id, clientID: request.clientID,
                                                       redirectURI: request.redirectURI, codeChallenge: request.codeChallenge,
                                                       expires: now.addingTimeInterval(configuration.authorizationCodeLifetime)))
        return Issued(redirect: AuthorizationResponse.success(code: code, request: request, issuer: configuration.issuer),
                      subject: subject(for: result.citizen, clientID: request.clientID), sessionIdentifier: sid)
    }

    /// A login ended without a proof: tell the client at its (already checked) redirect_uri.
    public func errorRedirect(for request: AuthorizationRequest, failure: LoginFailure) -> String {
        AuthorizationResponse.error(OAuthError(failure), redirectURI: request.redirectURI, state: request.state, issuer: configuration.issuer)
    }
}
