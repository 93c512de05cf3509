/// The languages of the citizen pages: Italian by default, English on request.
public enum Language: String, Sendable, CaseIterable {
    case it, en

    /// `?lang=` wins, then the `varco_lang` cookie, then Italian.
    static func choose(query: String?, cookie: String?) -> Language {
        query.flatMap(Language.init(rawValue:)) ?? cookie.flatMap(Language.init(rawValue:)) ?? .it
    }
}
