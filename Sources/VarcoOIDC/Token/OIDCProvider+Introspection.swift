import Foundation
import VarcoCore

/// RFC 7662 §2.2. Inactive tokens get `{"active":false}` and nothing else.
public struct IntrospectionResponse: Codable, Sendable, Equatable {
    public let active: Bool
    public var scope: String?
    public var client_id: String?
    public var token_type: String?
    public var exp: Int?
    public var iat: Int?
    public var sub: String?
    public var aud: String?
    public var iss: String?
    public var acr: String?
    public var auth_time: Int?

    static let inactive = IntrospectionResponse(active: false)
}

extension OIDCProvider {
    /// The introspection endpoint. The caller authenticates as a client and learns only about its
    /// own tokens; anything else is reported inactive.
    public func introspect(body: Substring, authorization: String?) async -> (OAuthJSONResponse, OAuthError?) {
        do {
            let form: URLEncodedForm
            do { form = try URLEncodedForm(body, maxLength: 16 * 1024) } catch {
                throw OAuthError.invalidRequest("the request is malformed or repeats a parameter", detail: "\(error)")
            }
            let caller = try await clientAuthenticator.authenticate(form: form, authorization: authorization)
            guard caller.confidential else { throw OAuthError.invalidClient("public clients may not introspect") }
            guard let token = form["token"], !token.isEmpty else { throw OAuthError.invalidRequest("token is missing") }
            return (.ok(try await introspection(of: token, for: caller.client.clientID)), nil)
        } catch let error as OAuthError {
            return (.error(error, basicChallenge: error.code == .invalidClient && authorization != nil), error)
        } catch {
            let failure = OAuthError.backend(error, while: "answering")
            return (.error(failure), failure)
        }
    }

    func introspection(of token: String, for clientID: String) async throws -> IntrospectionResponse {
        if let (claims, _) = try await validAccessToken(token) {
            guard claims.client_id == clientID else { return .inactive }
            var answer = IntrospectionResponse(active: true)
            (answer.scope, answer.client_id, answer.token_type, answer.exp, answer.iat) = (claims.scope, claims.client_id, "Bearer", claims.exp, claims.iat)
            (answer.sub, answer.aud, answer.iss, answer.acr, answer.auth_time) = (claims.sub, claims.aud, claims.iss, claims.acr, claims.auth_time)
            return answer
        }
        guard token.utf8.count <= 256, let refresh = try await grants.findRefreshToken(hash: Self.hash(token)),
              refresh.clientID == clientID, clock.now() < refresh.expires,
              let grant = try await grants.grant(id: refresh.grantID), grant.isActive(at: clock.now()) else { return .inactive }
        var answer = IntrospectionResponse(active: true)
        (answer.scope, answer.client_id, answer.token_type, answer.exp) = (grant.scopes.joined(separator: " "), clientID, "refresh_token", refresh.expires.epochSeconds)
        (answer.sub, answer.iss, answer.acr, answer.auth_time) = (subject(for: grant.citizen, clientID: clientID), configuration.issuer, grant.level.uri, grant.authTime.epochSeconds)
        return answer
    }
}
