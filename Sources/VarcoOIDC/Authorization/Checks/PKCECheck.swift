/// PKCE (RFC 7636): S256 only; required for public clients, accepted from every client.
struct PKCECheck: AuthorizationCheck {
    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        let challenge = context.parameter("code_challenge")
        let method = context.parameter("code_challenge_method")
        guard let challenge else {
            if method != nil { throw .invalidRequest("code_challenge_method without code_challenge") }
            if context.client?.isPublic == true { throw .invalidRequest("public clients must use PKCE (code_challenge)") }
            return
        }
        // §4.3: "plain" is the default method; we refuse it, so S256 must be named.
        guard method == "S256" else { throw .invalidRequest("code_challenge_method must be S256", detail: "method \(method ?? "none")") }
        // base64url of a SHA-256: 43 characters.
        guard challenge.utf8.count == 43, Base64URLAlphabet.contains(challenge) else {
            throw .invalidRequest("code_challenge is malformed")
        }
        context.request?.codeChallenge = challenge
    }
}

enum Base64URLAlphabet {
    static func contains(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 == 45 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }
}
