import Crypto
import Foundation
import Hummingbird
import VarcoCore
import VarcoSAML

/// Single logout in the browser:
/// - `GET /logout` asks the citizen to confirm "Esci"; `POST /logout` (with the page's token) ends the session
///   and starts the logout; a forged cross-site POST ends nothing;
/// - `GET /logout/progress` tells the SAML services one at a time in a frame, each with a timeout (the page
///   reloads with `waited=` when it runs out), then the upstream provider, then shows the result;
/// - `GET /logout/frame/{step}` is that frame: it carries the signed LogoutRequest to the service.
struct LogoutRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/logout") { request, _ -> Response in
            guard let session = try await varco.engine.sessions.current(request.cookies[CookieNames.session]?.value) else {
                return HTML.response(varco.pages.render("logged-out", language: request.language, model: LoggedOutPage()))
            }
            return HTML.response(varco.pages.render("logout-citizen", language: request.language,
                                                    model: LogoutStartPage(csrf: Self.csrf(for: session.id))))
        }
        router.post("/logout") { request, context -> Response in
            let form = try await request.form(limit: 4 * 1024)
            guard let session = try await varco.engine.sessions.current(request.cookies[CookieNames.session]?.value) else {
                return HTML.response(varco.pages.render("logged-out", language: request.language, model: LoggedOutPage()))
            }
            guard let given = form["csrf"], ConstantTime.equal(given, Self.csrf(for: session.id)) else {
                await varco.auditor.record(.requestRejected, subject: session.citizen.value,
                                           detail: "logout refused: the form token is missing or wrong (cross-site request?); the session goes on",
                                           client: context.clientAddress)
                throw WebError(.forbidden, "error_csrf", detail: "logout without the page's token")
            }
            let browser = BrowserBinding(request, random: varco.random)
            let ended = try await varco.logout.begin(session, initiator: .citizen, browser: browser.value, client: context.clientAddress)
            var response = HTML.redirect(to: "/logout/progress")
            Self.switchToLogout(&response, session: ended, browser: browser)
            return response
        }
        router.get("/logout/progress") { request, _ -> Response in
            try await progress(request)
        }
        router.get("/logout/frame/:step") { request, context -> Response in
            let index = try context.parameters.require("step", as: Int.self)
            guard let session = try await current(request),
                  let message = try await varco.logout.frameMessage(step: index, in: session) else {
                return frameDone(request)
            }
            var response: Response
            switch message {
            case .redirect(let url): response = HTML.redirect(to: url)
            case .post(let form): response = StepRenderer(varco: varco).render(.postForm(form), language: request.language)
            }
            LogoutHeaders.allowFramingBySelf(&response)
            return response
        }
    }

    private func current(_ request: Request) async throws -> SSOSession? {
        try await varco.logout.logout(cookie: request.cookies[CookieNames.logout]?.value, browser: request.cookies[CookieNames.browser]?.value)
    }

    private func progress(_ request: Request) async throws -> Response {
        let language = request.language
        guard var session = try await current(request), let logout = session.logout else {
            return HTML.response(varco.pages.render("logged-out", language: language, model: LoggedOutPage()))
        }
        if let waited = request.uri.queryParameters["waited"].flatMap({ Int(String($0)) }) {
            session = try await varco.logout.timedOut(step: waited, in: session)
        }
        let steps = session.logout?.steps ?? logout.steps
        if let index = session.logout?.currentFrameStep {
            let page = LogoutProgressPage(services: steps.map { .init($0, pages: varco.pages, language: language) },
                                          frame: "/logout/frame/\(index)", continueHref: "/logout/progress?waited=\(index)")
            var response = HTML.response(varco.pages.render("logout-progress", language: language, model: page))
            // The per-service timeout: the browser moves on by itself if the service never answers.
            response.headers[.refresh] = "\(Int(varco.logout.frontChannelTimeout)); url=/logout/progress?waited=\(index)"
            response.headers[.contentSecurityPolicy] = LogoutHeaders.framing(
                [await varco.logout.frameOrigin(step: index, in: session)].compactMap { $0 })
            return response
        }
        if let index = session.logout?.pendingUpstreamStep {
            return StepRenderer(varco: varco).render(try await varco.logout.upstreamAnswer(step: index, in: session), language: language)
        }
        let (concluded, frames, answer) = try await varco.logout.conclude(session)
        let finished = concluded.logout ?? logout
        var services = finished.steps.map { LogoutResultPage.Service($0, pages: varco.pages, language: language) }
        if case .saml(let initiator, _, _, _, _) = finished.initiator {
            let name = (try? await varco.stores.relyingParties.find(id: initiator))?.displayName ?? initiator
            services.insert(.init(name: name, ok: true, result: varco.pages.message("logout_result_ok", language)), at: 0)
        }
        var returnHref: String?, returnAction: String?, returnFields: [LogoutResultPage.Field] = []
        switch answer {
        case .redirect(let url)?: returnHref = url
        case .post(let form)?:
            returnAction = form.destination
            returnFields = [.init(name: form.parameter, value: form.value)] + (form.relayState.map { [.init(name: "RelayState", value: $0)] } ?? [])
        case nil:
            if case .oidc(_, let redirect?) = finished.initiator { returnHref = redirect }
        }
        let page = LogoutResultPage(services: services, hasServices: !services.isEmpty, partial: finished.isPartial, frames: frames,
                                    returnHref: returnHref, returnAction: returnAction, returnFields: returnFields)
        var response = HTML.response(varco.pages.render("logout-result", language: language, model: page))
        response.headers[.contentSecurityPolicy] = LogoutHeaders.framing(frames.compactMap(SingleLogoutCoordinator.origin(of:)))
        return response
    }

    func frameDone(_ request: Request) -> Response {
        var response = HTML.response(varco.pages.render("logout-frame-done", language: request.language, model: LogoutFrameDonePage()))
        LogoutHeaders.allowFramingBySelf(&response)
        return response
    }

    /// The session cookie goes; the logout cookie names the ended record for the rest of the logout.
    static func switchToLogout(_ response: inout Response, session: SSOSession, browser: BrowserBinding) {
        response.setCookie(CookieNames.clearSession())
        response.setCookie(CookieNames.logout(session.id))
        browser.apply(to: &response)
    }

    /// The token of the "Esci" form: derived from the session id, which no other site can know.
    static func csrf(for sessionID: String) -> String {
        Base64URL.encode(Array(SHA256.hash(data: Data("varco-logout|\(sessionID)".utf8))))
    }
}
