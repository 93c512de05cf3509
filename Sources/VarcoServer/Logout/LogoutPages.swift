import Hummingbird
import VarcoCore
import VarcoSAML

/// `/logout`: the citizen confirms "Esci" with a form whose token only Varco's own page can know.
struct LogoutStartPage: PageModel {
    let csrf: String
}

/// While services are told one at a time: who is done, and a frame for the current one.
struct LogoutProgressPage: PageModel {
    let services: [LogoutResultPage.Service]
    let frame: String
    let continueHref: String
}

/// The result: every service reached and what happened to it; the way back to the service that started.
struct LogoutResultPage: PageModel {
    struct Service: Sendable {
        let name: String
        let ok: Bool
        let result: String
    }
    struct Field: Sendable { let name: String; let value: String }

    let services: [Service]
    let hasServices: Bool
    let partial: Bool
    /// OIDC Front-Channel Logout frames.
    let frames: [String]
    /// Back to the service that started: a link (HTTP-Redirect or a registered OIDC URI) or a form (HTTP-POST).
    let returnHref: String?
    let returnAction: String?
    let returnFields: [Field]
}

/// Shown inside the frame once a service answered: moves the whole page on to the next step.
struct LogoutFrameDonePage: PageModel {}

extension LogoutResultPage.Service {
    init(_ step: LogoutStep, pages: Pages, language: Language) {
        let ok = step.outcome == .loggedOut || step.outcome == .notified
        let key = switch step.outcome {
        case .loggedOut, .notified: "logout_result_ok"
        case .pending, .inProgress: "logout_result_pending"
        case .failed, .noAnswer, .unsupported: "logout_result_failed"
        }
        self.init(name: step.displayName, ok: ok, result: pages.message(key, language))
    }
}

/// Headers of the logout pages: the progress page frames Varco's own frame page, which navigates to the
/// services' logout endpoints; the frame pages may be framed by Varco only.
enum LogoutHeaders {
    static func framing(_ origins: [String]) -> String {
        let sources = (["'self'"] + origins).joined(separator: " ")
        return "default-src 'self'; img-src 'self' data:; frame-src \(sources); frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    }

    static let framed = "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'; object-src 'none'"

    static func allowFramingBySelf(_ response: inout Response) {
        response.headers[.contentSecurityPolicy] = framed
        response.headers[.xFrameOptions] = "SAMEORIGIN"
    }
}
