import Hummingbird
import VarcoCore

extension Request {
    /// The form body, decoded strictly (duplicate parameters refused), at most `limit` bytes.
    func form(limit: Int = 256 * 1024) async throws -> URLEncodedForm {
        let buffer = try await body.collect(upTo: limit)
        do { return try URLEncodedForm(String(buffer: buffer), maxLength: limit) } catch {
            throw WebError.badRequest("error_badRequest", "form: \(error)")
        }
    }

    var language: Language {
        Language.choose(query: uri.queryParameters["lang"].map(String.init), cookie: cookies[CookieNames.language]?.value)
    }
}
