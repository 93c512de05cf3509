import Foundation
import Hummingbird
import VarcoCore

/// The cookies Varco sets. None holds anything but an opaque random value or a language code.
enum CookieNames {
    /// The SSO session id.
    static let session = "varco_session"
    /// A random id of this browser, binding pending logins to the browser that started them.
    static let browser = "varco_browser"
    static let language = "varco_lang"
    /// During a single logout: the id of the ended session record that carries the logout's steps.
    static let logout = "varco_logout"

    /// SameSite=None so that POST-binding requests from services carry it; Secure and HttpOnly.
    static func session(_ value: String) -> Cookie {
        Cookie(name: session, value: value, path: "/", secure: true, httpOnly: true, sameSite: .none)
    }

    static func clearSession() -> Cookie {
        Cookie(name: session, value: "", maxAge: 0, path: "/", secure: true, httpOnly: true, sameSite: .none)
    }

    static func logout(_ value: String) -> Cookie {
        Cookie(name: logout, value: value, maxAge: 3600, path: "/", secure: true, httpOnly: true, sameSite: .none)
    }

    static func browser(_ value: String) -> Cookie {
        Cookie(name: browser, value: value, maxAge: 86400 * 365, path: "/", secure: true, httpOnly: true, sameSite: .none)
    }

    static func language(_ value: Language) -> Cookie {
        Cookie(name: language, value: value.rawValue, maxAge: 86400 * 365, path: "/", secure: true, httpOnly: true, sameSite: .lax)
    }
}

/// The random id binding pending logins to this browser: the one in the `varco_browser` cookie, or a new one
/// that the response must set (`isNew`). Every protocol that starts a login uses it.
struct BrowserBinding {
    let value: String
    let isNew: Bool

    init(_ request: Request, random: any RandomSource) {
        if let existing = request.cookies[CookieNames.browser]?.value, existing.utf8.count == 43 {
            value = existing
            isNew = false
        } else {
            value = random.token()
            isNew = true
        }
    }

    /// Sets the cookie on `response` when the id is new.
    func apply(to response: inout Response) {
        if isNew { response.setCookie(CookieNames.browser(value)) }
    }
}
