import Foundation
import Hummingbird
import VarcoCore
import VarcoSAML
import VarcoSPID

/// Login through SPID and CIE. For each of the two service providers (`/spid/...`, `/cie/...`):
/// `GET metadata`, `GET login[?idp=]` (a login straight into Varco), `POST acs` (the Response),
/// `GET|POST slo` (the LogoutResponse). Inside a service's login: `GET /login/{id}/spid[?idp=]` and
/// `GET /login/{id}/cie`.
struct SPIDRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        for kind in [UpstreamLogin.Kind.spid, .cie] {
            let base = "/\(kind.pathSegment)"
            router.get("\(base)/metadata") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/samlmetadata+xml"],
                         body: .init(byteBuffer: ByteBuffer(string: try varco.upstream.metadata(kind))))
            }
            router.get("\(base)/login") { request, _ -> Response in
                try await start(kind, request: request, transaction: nil)
            }
            router.post("\(base)/acs") { request, context -> Response in
                try await receive(kind, request: request, client: context.clientAddress)
            }
            router.get("\(base)/slo") { request, context -> Response in
                if request.uri.queryParameters["SAMLRequest"] != nil {
                    return try await ProviderInitiatedLogoutRoutes(varco: varco).receive(kind, request: request, client: context.clientAddress)
                }
                return try await UpstreamLogoutRoutes(varco: varco).receive(kind, request: request, client: context.clientAddress)
            }
            router.post("\(base)/slo") { request, context -> Response in
                try await UpstreamLogoutRoutes(varco: varco).receive(kind, request: request, client: context.clientAddress)
            }
            router.get("/login/:id/\(kind.pathSegment)") { request, context -> Response in
                let transaction = try await varco.engine.load(try context.parameters.require("id"),
                                                              browser: request.cookies[CookieNames.browser]?.value)
                switch try await varco.engine.choose(kind.method, in: transaction) {
                case .showMethod(let current, kind.method):
                    return try await start(kind, request: request, transaction: current)
                case let other:
                    return try await StepRenderer(varco: varco).response(other, language: request.language)
                }
            }
        }
    }

    /// Sends the browser to the chosen provider, or shows the chooser when none is named (SPID).
    private func start(_ kind: UpstreamLogin.Kind, request: Request, transaction: LoginTransaction?) async throws -> Response {
        let providers = await varco.upstream.registry.providers(kind)
        let named = request.uri.queryParameters["idp"].map(String.init)
        let chosen: UpstreamIdentityProvider
        if let named {
            guard let provider = providers.first(where: { $0.entityID == named }) else {
                throw WebError(.notFound, "spid_error_unknownProvider", detail: "no \(kind.rawValue) provider \(named) in the registry")
            }
            chosen = provider
        } else if kind == .cie, let only = providers.first {
            chosen = only
        } else {
            return chooser(kind, providers: providers, transaction: transaction, request: request)
        }
        let level: LevelOfAssurance
        if let transaction {
            level = transaction.requirement.acceptableLevels.min() ?? .spidL2
        } else {
            level = request.uri.queryParameters["level"].flatMap { Int(String($0)) }.flatMap(LevelOfAssurance.init(rawValue:))
                ?? varco.configuration.upstream.serviceProvider.directLoginLevel
        }
        let browser = BrowserBinding(request, random: varco.random)
        let answer = try await varco.upstream.start(chosen, level: level, browser: browser.value, transaction: transaction?.id)
        var response: Response
        switch answer {
        case .redirect(let location):
            // 302, as SAML bindings §3.4.4 and the SPID validators expect (not 303).
            response = Response(status: .found, headers: [.location: location])
        case .postForm:
            response = StepRenderer(varco: varco).render(answer, language: request.language)
        }
        browser.apply(to: &response)
        return response
    }

    /// The SPID provider list, in random order as AgID's guidelines ask.
    private func chooser(_ kind: UpstreamLogin.Kind, providers: [UpstreamIdentityProvider], transaction: LoginTransaction?,
                         request: Request) -> Response {
        let base = transaction.map { "/login/\($0.id)/\(kind.pathSegment)" } ?? "/\(kind.pathSegment)/login"
        let page = ProviderChooserPage(providers: providers.shuffled().map {
            .init(name: $0.displayName, href: "\(base)?idp=\(URLEncodedForm.encode($0.entityID))")
        }, backHref: transaction.map { "/login/\($0.id)" } ?? "/")
        return HTML.response(varco.pages.render("spid-chooser", language: request.language, model: page))
    }

    /// The Response at the AssertionConsumerService: checked, archived, audited; then the login goes on.
    private func receive(_ kind: UpstreamLogin.Kind, request: Request, client: String?) async throws -> Response {
        let form = try await request.form()
        let message: InboundMessage
        do { message = try PostBinding.decode(form: form, parameter: "SAMLResponse") } catch {
            await varco.auditor.record(.loginFailed, detail: "\(kind.rawValue): unreadable SAMLResponse (\(error))", client: client)
            throw WebError.badRequest("spid_error_invalid", "\(kind.rawValue) ACS: \(error)")
        }
        let browser = request.cookies[CookieNames.browser]?.value
        let accepted: UpstreamLoginService.Accepted
        do {
            accepted = try await varco.upstream.receive(message.xml, relayState: message.relayState, kind: kind, browser: browser,
                                                        client: client)
        } catch let refused as UpstreamLoginService.Refused {
            await varco.auditor.record(.loginFailed, relyingParty: refused.request?.identityProvider,
                                       detail: "\(kind.rawValue) response refused: \(refused.failure.detail)", client: client)
            varco.logger.notice("refused request", metadata: ["path": "\(request.uri.path)", "detail": "\(refused.failure.detail)"])
            // An error status, never a redirect: the citizen reads why, and may pick another way in.
            let status: HTTPResponse.Status = if case .malformed = refused.failure { .badRequest } else { .forbidden }
            let page = UpstreamErrorPage(message: varco.pages.message(refused.failure.messageKey, request.language),
                                         backHref: refused.request?.loginTransaction.map { "/login/\($0)" })
            return HTML.response(varco.pages.render("spid-error", language: request.language, model: page), status: status)
        }
        let assertion = accepted.assertion
        let cf = try assertion.codiceFiscale()
        let citizen = try assertion.citizen(updating: try await varco.stores.citizens.find(cf))
        try await varco.stores.citizens.save(citizen)
        let result = AuthnResult(citizen: cf, level: assertion.level, method: kind.method, instant: varco.clock.now(),
                                 upstream: assertion.upstreamLogin(kind: kind))
        await varco.auditor.record(.loginSucceeded, subject: cf.value, relyingParty: assertion.identityProvider,
                                   detail: "\(kind.rawValue) \(assertion.level.uri)", client: client)
        let sessionCookie = request.cookies[CookieNames.session]?.value
        if let id = accepted.request.loginTransaction {
            let transaction = try await varco.engine.load(id, browser: browser)
            guard transaction.state == .proving(kind.method) else {
                throw WebError.badRequest("error_loginExpired", "\(kind.rawValue) response for a login in state \(transaction.state)")
            }
            let step = try await varco.engine.succeeded(transaction, result: result, sessionCookie: sessionCookie)
            return try await StepRenderer(varco: varco).response(step, language: request.language)
        }
        let session = try await varco.engine.sessions.establish(result, replacing: try await varco.engine.sessions.current(sessionCookie))
        let page = UpstreamWelcomePage(name: "\(citizen.givenName) \(citizen.familyName)".trimmingCharacters(in: .whitespaces),
                                       fiscalNumber: cf.value, level: assertion.level.uri,
                                       provider: (await varco.upstream.registry.provider(kind, entityID: assertion.identityProvider))?.displayName
                                           ?? assertion.identityProvider)
        var response = HTML.response(varco.pages.render("spid-welcome", language: request.language, model: page))
        response.setCookie(CookieNames.session(session.id))
        return response
    }
}

struct ProviderChooserPage: PageModel {
    struct Provider: Sendable { let name: String; let href: String }
    let providers: [Provider]
    let backHref: String
}

struct UpstreamErrorPage: PageModel {
    let message: String
    /// Back to the method choice of the service's login, when the SPID/CIE login was for a service.
    let backHref: String?
}

struct UpstreamWelcomePage: PageModel {
    let name: String
    let fiscalNumber: String
    let level: String
    let provider: String
}
