import Foundation
import Hummingbird
import VarcoCore
import VarcoSAML
import VarcoSPID
import VarcoXML

extension Varco {
    /// Single logout toward the national provider: for a session that has ended and came from SPID or
    /// CIE (`session.upstream`), what the browser must be sent to so that the provider ends its session
    /// too; nil when the session came from a local method or the provider is no longer registered.
    ///
    /// - SPID: a signed LogoutRequest (HTTP-Redirect, else HTTP-POST) to the provider's
    ///   SingleLogoutService; its LogoutResponse comes back to `/spid/slo`, which checks it and shows
    ///   the "logged out" page.
    /// - CIE: "simple logout", a plain redirect to the provider's logout location.
    ///
    /// - Parameter browser: the `varco_browser` cookie value; the LogoutResponse is accepted only there.
    func upstreamLogout(for session: SSOSession, browser: String) async throws -> ProtocolAnswer? {
        guard let login = session.upstream,
              let provider = await upstream.registry.provider(login.kind, entityID: login.identityProvider) else { return nil }
        switch login.kind {
        case .cie:
            return (provider.sloRedirectURL ?? provider.sloPostURL).map { .redirect($0) }
        case .spid:
            guard let destination = provider.sloRedirectURL ?? provider.sloPostURL else { return nil }
            let now = clock.now()
            let request = UpstreamLogoutRequest(id: random.xmlID(), issueInstant: now, issuer: upstream.spid.entityID,
                                                destination: destination, login: login)
            let relayState = random.token(byteCount: 24)
            try await stores.upstream.pending.insert(PendingUpstreamRequest(
                id: request.id, kind: .spid, identityProvider: provider.entityID, issueInstant: now, requestedLevel: session.level,
                comparison: "minimum", relayState: relayState, browserBinding: browser, loginTransaction: nil,
                expires: now.addingTimeInterval(upstream.requestLifetime), purpose: .logout))
            await auditor.record(.sessionEnded, subject: session.citizen.value, relyingParty: provider.entityID,
                                 detail: "SPID single logout sent to the provider")
            if provider.sloRedirectURL != nil {
                return .redirect(try request.redirectURL(relayState: relayState, key: upstream.spidKey))
            }
            return .postForm(try request.postForm(relayState: relayState, key: upstream.spidKey))
        }
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
        do {
            let success = try UpstreamLogoutResponseValidator(endpoints: varco.upstream.endpoints(kind))
                .validate(message, expected: pending.id, provider: provider)
            await varco.auditor.record(.sessionEnded, relyingParty: provider.entityID,
                                       detail: "\(kind.rawValue) LogoutResponse \(success ? "success" : "with an error status")", client: client)
        } catch {
            await varco.auditor.record(.requestRejected, relyingParty: provider.entityID,
                                       detail: "\(kind.rawValue) LogoutResponse refused: \(error.detail)", client: client)
            throw WebError(.forbidden, "spid_error_invalid", detail: error.detail)
        }
        return HTML.response(varco.pages.render("logged-out", language: request.language, model: LoggedOutPage()))
    }
}
