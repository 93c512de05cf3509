import Foundation
import VarcoCore

/// Logout token claims (OIDC Back-Channel Logout 1.0 §2.4).
public struct LogoutTokenClaims: Codable, Sendable, Equatable {
    public struct Events: Codable, Sendable, Equatable {
        public struct Empty: Codable, Sendable, Equatable {}
        public let backchannelLogout: Empty

        public init() { backchannelLogout = Empty() }

        enum CodingKeys: String, CodingKey { case backchannelLogout = "http://schemas.openid.net/event/backchannel-logout" }
    }

    public let iss: String
    public let sub: String
    public let aud: String
    public let iat: Int
    public let exp: Int
    public let jti: String
    public let sid: String
    public let events: Events
}

/// What the end-session endpoint decided (OIDC RP-Initiated Logout 1.0).
public enum EndSessionDecision: Sendable, Equatable {
    /// End the SSO session, then send the browser to `redirect` (the registered post-logout URI
    /// with `state`) or, without one, show Varco's own logged-out page.
    case logout(clientID: String?, redirect: String?)
    /// The request is not acceptable: show an error page, never redirect.
    case error(OAuthError)
}

/// A logout token to POST to a client's `backchannel_logout_uri`.
public struct BackChannelLogout: Sendable, Equatable {
    public let clientID: String
    public let uri: String
    public let logoutToken: String
}

extension OIDCProvider {
    public var endSessionEndpoint: String { "\(configuration.issuer)/oidc/logout" }

    /// Checks an end-session request: `id_token_hint` (one of our ID tokens, expired or not),
    /// `client_id`, `post_logout_redirect_uri` (compared exactly with the client's registered list)
    /// and `state` (given back on the redirect).
    public func endSession(parameters: Substring) async -> EndSessionDecision {
        let form: URLEncodedForm
        do { form = try URLEncodedForm(parameters, maxLength: 32 * 1024) } catch {
            return .error(.invalidRequest("malformed logout request", detail: "\(error)"))
        }
        var clientID = form["client_id"]
        if let hint = form["id_token_hint"] {
            guard let payload = keys.verifiedPayload(hint, type: "JWT"),
                  let claims = try? JSONDecoder().decode(IDTokenClaims.self, from: payload), claims.iss == configuration.issuer else {
                return .error(.invalidRequest("id_token_hint is not an ID token of this provider", detail: "bad id_token_hint"))
            }
            if let clientID, clientID != claims.aud {
                return .error(.invalidRequest("client_id does not match id_token_hint", detail: "client_id \(clientID) aud \(claims.aud)"))
            }
            clientID = claims.aud
        }
        guard let redirectURI = form["post_logout_redirect_uri"] else { return .logout(clientID: clientID, redirect: nil) }
        guard let clientID else {
            return .error(.invalidRequest("post_logout_redirect_uri needs id_token_hint or client_id", detail: "no client"))
        }
        let client: ClientRegistration?
        do { client = try await clients.find(id: clientID).flatMap { ClientRegistration($0) } } catch {
            return .error(.backend(error, while: "client lookup"))
        }
        guard let client else { return .error(.invalidRequest("unknown client", detail: "unknown client \(clientID)")) }
        guard (client.postLogoutRedirectURIs ?? []).contains(redirectURI) else {
            return .error(.invalidRequest("post_logout_redirect_uri is not registered", detail: "\(redirectURI) for \(clientID)"))
        }
        var redirect = redirectURI
        if let state = form["state"] {
            redirect += (redirectURI.contains("?") ? "&" : "?") + "state=" + URLEncodedForm.encode(state)
        }
        return .logout(clientID: clientID, redirect: redirect)
    }

    /// The logout tokens for the OIDC clients a session reached that registered a
    /// `backchannel_logout_uri` (Back-Channel Logout 1.0 §2.4–2.5).
    public func backChannelLogouts(for visits: [ServiceVisit]) async -> [BackChannelLogout] {
        var result: [BackChannelLogout] = []
        let now = clock.now()
        for visit in visits where visit.protocolName == "oidc" {
            guard let party = try? await clients.find(id: visit.relyingParty), let client = ClientRegistration(party),
                  let uri = client.backchannelLogoutURI else { continue }
            let claims = LogoutTokenClaims(iss: configuration.issuer, sub: visit.nameID, aud: client.clientID, iat: now.epochSeconds,
                                           exp: now.addingTimeInterval(120).epochSeconds, jti: random.token(byteCount: 16),
                                           sid: visit.sessionIndex, events: .init())
            guard let token = try? keys.sign(claims, type: "logout+jwt") else { continue }
            result.append(BackChannelLogout(clientID: client.clientID, uri: uri, logoutToken: token))
        }
        return result
    }

}
