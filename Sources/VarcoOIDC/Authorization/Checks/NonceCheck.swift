/// nonce is optional in the code flow and copied into the ID token; bounded.
struct NonceCheck: AuthorizationCheck {
    static let maxLength = 512

    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        guard let nonce = context.parameter("nonce") else { return }
        guard nonce.utf8.count <= Self.maxLength else { throw .invalidRequest("nonce is too long") }
        context.request?.nonce = nonce
    }
}
