import Foundation
import VarcoCore

/// Authenticates the client at the token, introspection and revocation endpoints (RFC 6749 §2.3):
/// `client_secret_basic`, `client_secret_post`, or `none` (public client, identified only). A client
/// must use the method it registered, and only one method per request.
struct ClientAuthenticator: Sendable {
    let clients: any RelyingPartyStore
    let replay: any ReplayCache
    let clock: any WallClock
    /// What a client assertion's `aud` may be: the token endpoint or the issuer.
    let audiences: [String]

    struct Authenticated: Sendable {
        let client: ClientRegistration
        /// Whether the caller proved a secret (false for public clients).
        let confidential: Bool
    }

    func authenticate(form: URLEncodedForm, authorization: String?) async throws(OAuthError) -> Authenticated {
        let basic = try Self.basicCredentials(authorization)
        let postID = form["client_id"], postSecret = form["client_secret"]
        if form["client_assertion"] != nil || form["client_assertion_type"] != nil {
            guard basic == nil, postSecret == nil else { throw .invalidRequest("use one client authentication method", detail: "assertion and secret together") }
            return try await authenticate(assertion: form["client_assertion"], type: form["client_assertion_type"], clientID: postID)
        }
        if basic != nil && postSecret != nil { throw .invalidRequest("use one client authentication method", detail: "basic and post together") }
        let (id, secret, method): (String, String?, ClientRegistration.AuthMethod)
        if let basic {
            if let postID, postID != basic.id { throw .invalidRequest("client_id does not match the credentials", detail: "basic/post id mismatch") }
            (id, secret, method) = (basic.id, basic.secret, .clientSecretBasic)
        } else if let postID {
            (id, secret, method) = (postID, postSecret, postSecret == nil ? .none : .clientSecretPost)
        } else {
            throw .invalidClient("no client credentials")
        }
        guard id.utf8.count <= 256 else { throw .invalidClient("client_id too long") }
        let party: RelyingParty?
        do { party = try await clients.find(id: id) } catch { throw .backend(error, while: "client lookup") }
        guard let party, let client = ClientRegistration(party) else { throw .invalidClient("unknown or disabled client \(id)") }
        guard client.tokenEndpointAuthMethod == method else {
            throw .invalidClient("client \(id) registered \(client.tokenEndpointAuthMethod.rawValue), used \(method.rawValue)")
        }
        if method == .none { return Authenticated(client: client, confidential: false) }
        guard let secret, client.secretMatches(secret) else { throw .invalidClient("wrong secret for \(id)") }
        return Authenticated(client: client, confidential: true)
    }

    /// `private_key_jwt` (RFC 7523 §2.2).
    private func authenticate(assertion: String?, type: String?, clientID: String?) async throws(OAuthError) -> Authenticated {
        guard type == ClientAssertion.type else { throw .invalidClient("unsupported client_assertion_type") }
        guard let assertion, let claimed = ClientAssertion.claimedClientID(assertion) else { throw .invalidClient("malformed client_assertion") }
        if let clientID, clientID != claimed { throw .invalidClient("client_id \(clientID) does not match the assertion's \(claimed)") }
        guard claimed.utf8.count <= 256 else { throw .invalidClient("client_id too long") }
        let party: RelyingParty?
        do { party = try await clients.find(id: claimed) } catch { throw .backend(error, while: "client lookup") }
        guard let party, let client = ClientRegistration(party) else { throw .invalidClient("unknown or disabled client \(claimed)") }
        guard client.tokenEndpointAuthMethod == .privateKeyJWT else {
            throw .invalidClient("client \(claimed) registered \(client.tokenEndpointAuthMethod.rawValue), used private_key_jwt")
        }
        try await ClientAssertion.verify(assertion, client: client, audiences: audiences, replay: replay, now: clock.now())
        return Authenticated(client: client, confidential: true)
    }

    /// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
    static func basicCredentials(_ header: String?) throws(OAuthError) -> (id: String, secret: String)? {
        guard let header else { return nil }
        guard header.utf8.count <= 2048, header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8) else {
            throw .invalidClient("malformed Authorization header")
        }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let id = URLEncodedForm.decode(parts[0]), let secret = URLEncodedForm.decode(parts[1]), !id.isEmpty else {
            throw .invalidClient("malformed Basic credentials")
        }
        return (id, secret)
    }
}
