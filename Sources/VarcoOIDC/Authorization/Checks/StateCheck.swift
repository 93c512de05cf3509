/// state is opaque to us, returned unchanged; bounded so that it fits in a redirect.
struct StateCheck: AuthorizationCheck {
    static let maxLength = 1024

    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        guard let state = context.parameter("state") else { return }
        guard state.utf8.count <= Self.maxLength else { throw .invalidRequest("state is too long") }
        context.state = state
        context.request?.state = state
    }
}
