import HTTPTypes

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
