import HTTPTypes
import VarcoOIDC

/// An error that becomes an error page in the citizen's language. `messageKey` names the text in
/// the i18n tables; `detail` goes to the log only.
struct WebError: Error {
    var status: HTTPResponse.Status
    var messageKey: String
    var detail: String

    init(_ status: HTTPResponse.Status, _ messageKey: String, detail: String = "") {
        self.status = status
        self.messageKey = messageKey
        self.detail = detail
    }

    static func badRequest(_ key: String, _ detail: String = "") -> WebError { WebError(.badRequest, key, detail: detail) }
}

extension WebError {
    /// The page for an OAuth error that cannot be sent back to the client (no trusted redirect URI), with the
    /// error's status: 503 for `temporarily_unavailable` (the citizen may retry), 500 for `server_error`, 400 for a
    /// bad request.
    static func oauth(_ error: OAuthError) -> WebError {
        let message = switch error.code {
        case .invalidRequest: "error_oidc_untrustedRequest"
        case .temporarilyUnavailable: "error_unavailable"
        default: "error_oidc_internal"
        }
        return WebError(HTTPResponse.Status(code: error.status), message, detail: error.description)
    }
}
