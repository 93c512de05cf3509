import Hummingbird
import VarcoCore
import VarcoSAML

/// The SAML SingleLogoutService (SAML profiles §4.4), both bindings on one URL: `GET /slo` (HTTP-Redirect)
/// and `POST /slo` (HTTP-POST). A LogoutRequest from a service starts the single logout; a LogoutResponse
/// finishes the step of the service Varco asked.
struct SLORoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/slo") { request, context -> Response in
            let query = Substring(request.uri.query ?? "")
            let isResponse = request.uri.queryParameters["SAMLResponse"] != nil
            let message: InboundMessage
            do { message = try RedirectBinding.decode(query: query, parameter: isResponse ? "SAMLResponse" : "SAMLRequest") }
            catch let error as BindingError { throw await refuseBinding(error, context) }
            return try await isResponse ? response(message, request, context) : logoutRequest(message, request, context)
        }
        router.post("/slo") { request, context -> Response in
            let form = try await request.form()
            let isResponse = form["SAMLResponse"] != nil
            let message: InboundMessage
            do { message = try PostBinding.decode(form: form, parameter: isResponse ? "SAMLResponse" : "SAMLRequest") }
            catch let error as BindingError { throw await refuseBinding(error, context) }
            return try await isResponse ? response(message, request, context) : logoutRequest(message, request, context)
        }
    }

    /// A service asks to end the citizen's session (profiles §4.4.4.1).
    private func logoutRequest(_ message: InboundMessage, _ request: Request, _ context: VarcoRequestContext) async throws -> Response {
        let accepted: AcceptedLogoutRequest
        switch try await varco.logoutRequests.receive(message) {
        case .refuse(let refusal): throw await refuse(refusal, context)
        case .respond(let reply): return try await answer(reply, context)
        case .accept(let request): accepted = request
        }
        let logout = accepted.request
        let reply = { (status: SAMLStatus) in
            LogoutReply(serviceProvider: logout.issuer, endpoint: accepted.answerTo, inResponseTo: logout.id,
                        relayState: accepted.relayState, status: status)
        }
        // Nothing to end in this browser: the citizen is already logged out of Varco.
        guard let session = try await varco.engine.sessions.current(request.cookies[CookieNames.session]?.value) else {
            await varco.auditor.record(.requestRejected, relyingParty: logout.issuer,
                                       detail: "logout request \(logout.id): no live SSO session in this browser, answered Success",
                                       client: context.clientAddress)
            return try redirect(varco.logoutMessages.response(reply(.success), now: varco.clock.now()), request)
        }
        // The NameID and SessionIndex must be those Varco gave this service in this browser's session (§3.7.3.1).
        let matches = session.services.contains { visit in
            visit.protocolName == "saml" && visit.relyingParty == logout.issuer && visit.nameID == logout.nameID
                && (logout.sessionIndexes.isEmpty || logout.sessionIndexes.contains(visit.sessionIndex))
        }
        guard matches else {
            return try await answer(reply(SAMLStatus(.requester, .unknownPrincipal,
                                                     message: "NameID and SessionIndex are not those of this browser's session")),
                                    context, subject: session.citizen.value)
        }
        let browser = BrowserBinding(request, random: varco.random)
        let initiator = SingleLogout.Initiator.saml(relyingParty: logout.issuer, requestID: logout.id, relayState: accepted.relayState,
                                                    responseLocation: accepted.answerTo.responseLocation ?? accepted.answerTo.location,
                                                    binding: accepted.answerTo.binding)
        let ended = try await varco.logout.begin(session, initiator: initiator, browser: browser.value, client: context.clientAddress)
        var response = HTML.redirect(to: "/logout/progress")
        LogoutRoutes.switchToLogout(&response, session: ended, browser: browser)
        return response
    }

    /// A service answers the LogoutRequest Varco sent it; anything else is refused.
    private func response(_ message: InboundMessage, _ request: Request, _ context: VarcoRequestContext) async throws -> Response {
        let response: LogoutResponse
        switch try await varco.logoutResponses.receive(message) {
        case .failure(let refusal): throw await refuse(refusal, context)
        case .success(let checked): response = checked
        }
        let session = try await varco.logout.logout(cookie: request.cookies[CookieNames.logout]?.value,
                                                    browser: request.cookies[CookieNames.browser]?.value)
        guard let session, try await varco.logout.received(response, in: session) else {
            throw await refuse(Refusal(.unsolicitedResponse, "LogoutResponse \(response.id) in response to \(response.inResponseTo ?? "-") "
                                           + "answers no LogoutRequest Varco is waiting for in this browser",
                                       serviceProvider: response.issuer), context)
        }
        return LogoutRoutes(varco: varco).frameDone(request)
    }

    private func answer(_ reply: LogoutReply, _ context: VarcoRequestContext, subject: String? = nil) async throws -> Response {
        await varco.auditor.record(.requestRejected, subject: subject, relyingParty: reply.serviceProvider,
                                   detail: "logout request refused, answered \(reply.status.subcode?.rawValue ?? reply.status.code.rawValue): "
                                       + "\(reply.status.message ?? ""); no session ended", client: context.clientAddress)
        return try redirect(varco.logoutMessages.response(reply, now: varco.clock.now()), nil)
    }

    private func redirect(_ message: OutboundMessage, _ request: Request?) throws -> Response {
        switch message {
        case .redirect(let url): return HTML.redirect(to: url)
        case .post(let form): return StepRenderer(varco: varco).render(.postForm(form), language: request?.language ?? .it)
        }
    }

    private func refuse(_ refusal: Refusal, _ context: VarcoRequestContext) async -> WebError {
        await varco.auditor.record(.requestRejected, relyingParty: refusal.serviceProvider,
                                   detail: "single logout: \(refusal.kind.rawValue): \(refusal.detail); no session ended",
                                   client: context.clientAddress)
        return WebError(refusal.kind == .badSignature || refusal.kind == .missingSignature ? .forbidden : .badRequest,
                        "error_logout_\(refusal.kind.rawValue)", detail: refusal.detail)
    }

    private func refuseBinding(_ error: BindingError, _ context: VarcoRequestContext) async -> WebError {
        await varco.auditor.record(.requestRejected, detail: "single logout binding: \(error); no session ended", client: context.clientAddress)
        return WebError.badRequest("error_logout_malformedMessage", "binding: \(error)")
    }
}
