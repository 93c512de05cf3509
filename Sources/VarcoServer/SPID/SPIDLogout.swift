import Foundation
import Hummingbird
import VarcoCore
import VarcoSAML
import VarcoSPID
import VarcoXML

/// Single logout toward the national provider, as the last step of Varco's single logout (`UpstreamLogout`):
/// a session that came from SPID or CIE (`session.upstream`) gets a signed LogoutRequest to the provider's
/// SingleLogoutService (HTTP-Redirect, else HTTP-POST), bound to the browser that runs the logout; the
/// provider's LogoutResponse comes back to `/spid/slo` or `/cie/slo`, which finishes the step.
struct NationalProviderLogout: UpstreamLogout {
    let service: UpstreamLoginService
    let auditor: Auditor

    func step(for session: SSOSession) async -> LogoutStep? {
        guard let login = session.upstream,
              let provider = await service.registry.provider(login.kind, entityID: login.identityProvider),
              provider.sloRedirectURL != nil || provider.sloPostURL != nil else { return nil }
        let family = login.kind == .spid ? "SPID" : "CIE"
        return LogoutStep(kind: .upstream, relyingParty: provider.entityID, displayName: "\(family): \(provider.displayName)", nameID: login.nameID,
                          nameIDFormat: login.nameIDFormat, sessionIndex: login.sessionIndex ?? "")
    }

    func logoutAnswer(for session: SSOSession, step: LogoutStep) async throws -> ProtocolAnswer {
        guard let login = session.upstream, let logout = session.logout,
              let provider = await service.registry.provider(login.kind, entityID: login.identityProvider),
              let destination = provider.sloRedirectURL ?? provider.sloPostURL else {
            throw WebError(.internalServerError, "error_internal", detail: "upstream logout step without a registered provider")
        }
        let now = service.clock.now()
        let request = UpstreamLogoutRequest(id: service.random.xmlID(), issueInstant: now, issuer: service.endpoints(login.kind).entityID,
                                            destination: destination, login: login)
        let relayState = service.random.token(byteCount: 24)
        try await service.stores.pending.insert(PendingUpstreamRequest(
            id: request.id, kind: login.kind, identityProvider: provider.entityID, issueInstant: now, requestedLevel: session.level,
            comparison: "minimum", relayState: relayState, browserBinding: logout.browserBinding, loginTransaction: nil,
            expires: now.addingTimeInterval(service.requestLifetime), purpose: .logout))
        await auditor.record(.sessionEnded, subject: session.citizen.value, relyingParty: provider.entityID,
                             detail: "\(login.kind.rawValue) single logout sent to the provider")
        if provider.sloRedirectURL != nil {
            return .redirect(try request.redirectURL(relayState: relayState, key: service.key(login.kind)))
        }
        return .postForm(try request.postForm(relayState: relayState, key: service.key(login.kind)))
    }
}

/// `GET|POST /spid/slo` (and `/cie/slo`): the provider's LogoutResponse to Varco's LogoutRequest.
struct UpstreamLogoutRoutes {
    let varco: Varco

    func receive(_ kind: UpstreamLogin.Kind, request: Request, client: String?) async throws -> Response {
        let message: InboundMessage
        do {
            if request.method == .get {
                message = try RedirectBinding.decode(query: Substring(request.uri.query ?? ""), parameter: "SAMLResponse")
            } else {
                message = try PostBinding.decode(form: try await request.form(), parameter: "SAMLResponse")
            }
        } catch {
            throw WebError.badRequest("spid_error_invalid", "\(kind.rawValue) SLO: \(error)")
        }
        let document = (try? XMLDocument(bytes: message.xml))?.root
        guard let id = document?.attribute("InResponseTo"), id.utf8.count <= 128,
              let pending = try await varco.stores.upstream.pending.take(id: id, now: varco.clock.now()), pending.purpose == .logout,
              let browser = request.cookies[CookieNames.browser]?.value, ConstantTime.equal(browser, pending.browserBinding),
              let provider = await varco.upstream.registry.provider(kind, entityID: pending.identityProvider) else {
            await varco.auditor.record(.requestRejected, detail: "\(kind.rawValue) LogoutResponse names no pending logout", client: client)
            throw WebError(.forbidden, "spid_error_unexpected", detail: "unsolicited LogoutResponse")
        }
        let logout = try await varco.logout.logout(cookie: request.cookies[CookieNames.logout]?.value, browser: browser)
        let success: Bool
        do {
            success = try UpstreamLogoutResponseValidator(endpoints: varco.upstream.endpoints(kind))
                .validate(message, expected: pending.id, provider: provider)
        } catch {
            await varco.auditor.record(.requestRejected, relyingParty: provider.entityID,
                                       detail: "\(kind.rawValue) LogoutResponse refused: \(error.detail)", client: client)
            if let logout { try await varco.logout.finish(upstreamOf: logout, outcome: .failed, detail: error.detail) }
            throw WebError(.forbidden, "spid_error_invalid", detail: error.detail)
        }
        await varco.auditor.record(.sessionEnded, relyingParty: provider.entityID,
                                   detail: "\(kind.rawValue) LogoutResponse \(success ? "success" : "with an error status")", client: client)
        if let logout { try await varco.logout.finish(upstreamOf: logout, outcome: success ? .loggedOut : .failed) }
        // The rest of single logout (the result page, the answer to the service that started it).
        if logout != nil { return HTML.redirect(to: "/logout/progress") }
        return HTML.response(varco.pages.render("logged-out", language: request.language, model: LoggedOutPage()))
    }
}
