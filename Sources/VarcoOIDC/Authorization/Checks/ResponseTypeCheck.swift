/// response_type=code only (authorization code flow), answered in the query (response_mode=query).
struct ResponseTypeCheck: AuthorizationCheck {
    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        guard let type = context.parameter("response_type") else { throw .invalidRequest("response_type is missing") }
        guard type == "code" else { throw .unsupportedResponseType("response_type \(type)") }
        if let mode = context.parameter("response_mode"), mode != "query" {
            throw .invalidRequest("only response_mode=query is supported", detail: "response_mode \(mode)")
        }
    }
}
