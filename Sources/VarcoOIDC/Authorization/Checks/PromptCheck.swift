/// prompt: none, login, consent (OIDC Core §3.1.2.1). `none` with any other value is an error;
/// unknown values are refused rather than silently ignored.
struct PromptCheck: AuthorizationCheck {
    static let supported: Set<String> = ["none", "login", "consent"]

    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        guard let text = context.parameter("prompt") else { return }
        let values = Set(text.split(separator: " ").map(String.init))
        guard values.isSubset(of: Self.supported) else { throw .invalidRequest("prompt value not supported", detail: "prompt \(text)") }
        if values.contains("none") && values.count > 1 { throw .invalidRequest("prompt=none cannot be combined with other values") }
        context.request?.prompt = values
    }
}
