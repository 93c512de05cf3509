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
            if let session = try await varco.engine.sessions.current(request.cookies[CookieNames.session]?.value) {
                try await varco.stores.sessions.delete(id: session.id)
                await varco.auditor.record(.sessionEnded, subject: session.citizen.value, relyingParty: clientID,
                                           detail: "oidc logout", client: context.clientAddress)
                let notices = await varco.oidc.backChannelLogouts(for: session.services)
                if !notices.isEmpty {
                    let sender = BackChannelLogoutSender(auditor: varco.auditor)
                    Task.detached { await sender.send(notices) }
                }
            }
            var response = redirect.map(HTML.redirect(to:)) ?? HTML.response(Self.loggedOutPage)
            response.setCookie(CookieNames.clearSession())
            return response
        }
    }

    static let loggedOutPage = """
        <!DOCTYPE html>
        <html lang="it"><head><meta charset="utf-8"><title>Varco</title></head>
        <body><main><h1>Sei uscito da Varco</h1><p lang="en">You are logged out of Varco.</p></main></body></html>
        """
}
