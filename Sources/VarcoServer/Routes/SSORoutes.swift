import Hummingbird
import VarcoCore
import VarcoSAML

/// The SAML SSO service (SAML profiles §4.1), both bindings on one URL: `GET /sso` (HTTP-Redirect)
/// and `POST /sso` (HTTP-POST).
struct SSORoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/sso") { request, context -> Response in
            let message: InboundMessage
            do { message = try RedirectBinding.decode(query: Substring(request.uri.query ?? "")) } catch let error as BindingError {
                throw await refuseBinding(error, context)
            }
            return try await receive(message, request: request, context: context)
        }
        router.post("/sso") { request, context -> Response in
            let form = try await request.form()
            let message: InboundMessage
            do { message = try PostBinding.decode(form: form) } catch let error as BindingError {
                throw await refuseBinding(error, context)
            }
            return try await receive(message, request: request, context: context)
        }
    }

    private func receive(_ message: InboundMessage, request: Request, context: VarcoRequestContext) async throws -> Response {
        let renderer = StepRenderer(varco: varco)
        switch try await varco.receiver.receive(message) {
        case .refuse(let refusal):
            await varco.auditor.record(.requestRejected, relyingParty: refusal.serviceProvider,
                                       detail: "\(refusal.kind.rawValue): \(refusal.detail)", client: context.clientAddress)
            throw WebError(refusal.kind == .badSignature || refusal.kind == .missingSignature ? .forbidden : .badRequest,
                           "error_\(refusal.kind.rawValue)", detail: refusal.detail)
        case .respond(let reply):
            await varco.auditor.record(.requestRejected, relyingParty: reply.serviceProvider,
                                       detail: "answered \(reply.status.subcode?.rawValue ?? reply.status.code.rawValue): \(reply.status.message ?? "")",
                                       client: context.clientAddress)
            return renderer.render(.postForm(try varco.responses.failure(reply, now: varco.clock.now())), language: request.language)
        case .login(let login):
            let browser = BrowserBinding(request, random: varco.random)
            let step = try await varco.engine.begin(relyingParty: login.serviceProvider, protocolName: "saml",
                                                    state: login.encoded(), requirement: login.requirement, browser: browser.value,
                                                    sessionCookie: request.cookies[CookieNames.session]?.value)
            var response = try await renderer.response(step, language: request.language)
            browser.apply(to: &response)
            return response
        }
    }

    private func refuseBinding(_ error: BindingError, _ context: VarcoRequestContext) async -> WebError {
        await varco.auditor.record(.requestRejected, detail: "binding: \(error)", client: context.clientAddress)
        return WebError.badRequest("error_malformedMessage", "binding: \(error)")
    }
}
