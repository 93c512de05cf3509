import Hummingbird
import VarcoCore
import VarcoOIDC

/// The authorization endpoint (OIDC Core §3.1.2), `GET` and `POST /oidc/authorize`: checks the
/// request, then starts or reuses a login exactly as the SAML SSO service does.
struct OIDCAuthorizationRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/oidc/authorize") { request, context -> Response in
            try await authorize(Substring(request.uri.query ?? ""), request: request, context: context)
        }
        router.post("/oidc/authorize") { request, context -> Response in
            try await authorize(try await request.formBody(limit: 32 * 1024), request: request, context: context)
        }
    }

    private func authorize(_ parameters: Substring, request: Request, context: VarcoRequestContext) async throws -> Response {
        switch await varco.oidc.authorize(parameters: parameters) {
        case .errorPage(let error):
            await varco.auditor.refused(error, endpoint: "authorize", client: context.clientAddress)
            throw WebError.oauth(error)
        case .redirect(let location, let error):
            await varco.auditor.refused(error, endpoint: "authorize", client: context.clientAddress)
            return HTML.redirect(to: location)
        case .login(let authorization, _):
            let browser = BrowserBinding(request, random: varco.random)
            let sessionCookie = request.cookies[CookieNames.session]?.value
            let session = try await varco.engine.sessions.current(sessionCookie)
            let step = try await varco.engine.begin(relyingParty: authorization.clientID, protocolName: OIDCLoginProtocol.name,
                                                    state: authorization.encoded(),
                                                    requirement: authorization.requirement(sessionAuthTime: session?.authInstant, now: varco.clock.now()),
                                                    browser: browser.value, sessionCookie: sessionCookie)
            var response = try await StepRenderer(varco: varco).response(step, language: request.language)
            browser.apply(to: &response)
            return response
        }
    }
}
