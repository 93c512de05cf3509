/// max_age: a non-negative number of seconds; an older authentication forces a new login.
struct MaxAgeCheck: AuthorizationCheck {
    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        guard let text = context.parameter("max_age") else { return }
        guard text.utf8.count <= 10, let age = Int(text), age >= 0 else { throw .invalidRequest("max_age must be a non-negative integer") }
        context.request?.maxAge = age
    }
}
