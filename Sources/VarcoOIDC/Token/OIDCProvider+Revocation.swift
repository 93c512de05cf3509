import Foundation
import VarcoCore

extension OIDCProvider {
    /// The revocation endpoint (RFC 7009). Revoking an access or refresh token revokes its grant,
    /// and so every token issued from the same login (§2.1 allows it). Unknown tokens and tokens of
    /// other clients get the same 200 answer (§2.2), and are left alone.
    public func revoke(body: Substring, authorization: String?) async -> (OAuthJSONResponse, OAuthError?) {
        do {
            let form: URLEncodedForm
            do { form = try URLEncodedForm(body, maxLength: 16 * 1024) } catch {
                throw OAuthError.invalidRequest("the request is malformed or repeats a parameter", detail: "\(error)")
            }
            let caller = try await clientAuthenticator.authenticate(form: form, authorization: authorization)
            guard let token = form["token"], !token.isEmpty else { throw OAuthError.invalidRequest("token is missing") }
            if let hint = form["token_type_hint"], hint != "access_token", hint != "refresh_token" {
                throw OAuthError.unsupportedTokenType("token_type_hint \(hint)")
            }
            let clientID = caller.client.clientID
            if let (claims, grant) = try await validAccessToken(token), claims.client_id == clientID {
                try await grants.revokeGrant(id: grant.id)
            } else if token.utf8.count <= 256, let refresh = try await grants.findRefreshToken(hash: Self.hash(token)), refresh.clientID == clientID {
                try await grants.revokeGrant(id: refresh.grantID)
            }
            return (OAuthJSONResponse(status: 200, body: "{}", headers: ["Cache-Control": "no-store"]), nil)
        } catch let error as OAuthError {
            return (.error(error, basicChallenge: error.code == .invalidClient && authorization != nil), error)
        } catch {
            let failure = OAuthError.backend(error, while: "answering")
            return (.error(failure), failure)
        }
    }
}
