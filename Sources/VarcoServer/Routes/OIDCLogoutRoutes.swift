import Crypto
import Foundation
import Hummingbird
import VarcoCore
import VarcoOIDC

/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), `GET` and `POST /oidc/logout`:
/// ends the SSO session (deleted, cookie cleared), tells the OIDC clients it reached over the back
/// channel without waiting for them, and sends the browser to the client's registered
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
            throw WebError(error.code == .serverError ? .internalServerError : .badRequest,
                           error.code == .invalidRequest ? "error_oidc_untrustedRequest" : "error_oidc_internal", detail: error.description)
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
                try await varco.stores.sessions.delete(id: session.id)
                await varco.auditor.record(.sessionEnded, subject: session.citizen.value, relyingParty: clientID,
                                           detail: "oidc logout", client: context.clientAddress)
                let notices = await varco.oidc.backChannelLogouts(for: session.services)
                if !notices.isEmpty {
                    let sender = BackChannelLogoutSender(auditor: varco.auditor)
                    Task.detached { await sender.send(notices) }
                }
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
