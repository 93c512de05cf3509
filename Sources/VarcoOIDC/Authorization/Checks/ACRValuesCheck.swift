import VarcoCore

/// acr_values: space-separated SPID levels (https://www.spid.gov.it/SpidL1|2|3). Unknown values are
/// skipped; if none is known the request cannot be satisfied as asked and is refused. The client's
/// minimum level from its settings always applies.
struct ACRValuesCheck: AuthorizationCheck {
    func check(_ context: inout AuthorizationContext) async throws(OAuthError) {
        context.request?.minimumLevel = context.party?.settings.minimumLevel
        guard let text = context.parameter("acr_values") else { return }
        let levels = text.split(separator: " ").compactMap { LevelOfAssurance(uri: String($0)) }
        guard !levels.isEmpty else { throw .invalidRequest("acr_values names no supported level", detail: "acr_values \(text)") }
        context.request?.acrLevels = levels
    }
}
