import Crypto
import Foundation
import Hummingbird
import VarcoCore
import VarcoOIDC

/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), `GET` and `POST /oidc/logout`:
/// ends the SSO session (cookie cleared) with the same single logout as every other start (see
/// `SingleLogoutCoordinator`), and sends the browser to the client's registered
/// `post_logout_redirect_uri` (with `state`) or shows that the citizen is logged out.
struct OIDCLogoutRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/oidc/logout") { request, context -> Response in
            try await logout(Substring(request.uri.query ?? ""), request: request, context: context)
        }
        router.post("/oidc/logout") { request, context -> Response in
            try await logout(try await request.formBody(limit: 32 * 1024), request: request, context: context)
        }
    }

    private func logout(_ parameters: Substring, request: Request, context: VarcoRequestContext) async throws -> Response {
        switch await varco.oidc.endSession(parameters: parameters) {
        case .error(let error):
            await varco.auditor.refused(error, endpoint: "logout", client: context.clientAddress)
            throw WebError.oauth(error)
        case .logout(let clientID, let redirect):
            let session = try await varco.engine.sessions.current(request.cookies[CookieNames.session]?.value)
            // Without a valid id_token_hint the request may come from any site: the citizen confirms first
            // (a POST carrying a value derived from the session id, which other sites cannot know).
            let form = try URLEncodedForm(parameters, maxLength: 32 * 1024)
            if let session, form["id_token_hint"] == nil {
                let expected = Self.confirmation(for: session.id)
                guard request.method == .post, let given = form["confirm"], ConstantTime.equal(given, expected) else {
                    return HTML.response(confirmationPage(form, confirmation: expected, language: request.language))
                }
            }
            if let session {
                // The same single logout as everywhere: the session ends first, back-channel clients are told now;
                // services to tell through the browser send it through the logout pages, which return here at the end.
                let browser = BrowserBinding(request, random: varco.random)
                let ended = try await varco.logout.begin(session, initiator: .oidc(clientID: clientID, redirect: redirect),
                                                         browser: browser.value, client: context.clientAddress)
                if ended.logout?.steps.contains(where: { $0.channel == .frontChannel && $0.outcome == .pending }) == true {
                    var response = HTML.redirect(to: "/logout/progress")
                    LogoutRoutes.switchToLogout(&response, session: ended, browser: browser)
                    return response
                }
                _ = try await varco.logout.conclude(ended)
            }
            var response = redirect.map(HTML.redirect(to:))
                ?? HTML.response(varco.pages.render("logged-out", language: request.language, model: LoggedOutPage()))
            response.setCookie(CookieNames.clearSession())
            return response
        }
    }

    static func confirmation(for sessionID: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Data("oidc-logout|\(sessionID)".utf8))))
    }

    func confirmationPage(_ form: URLEncodedForm, confirmation: String, language: Language) -> String {
        let kept = ["client_id", "post_logout_redirect_uri", "state"].compactMap { name in
            form[name].map { LogoutConfirmationPage.Field(name: name, value: $0) }
        }
        return varco.pages.render("logout-confirm", language: language,
                                  model: LogoutConfirmationPage(fields: kept, confirmation: confirmation))
    }
}
