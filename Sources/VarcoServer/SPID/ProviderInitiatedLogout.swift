import Foundation
import Hummingbird
import VarcoCore
import VarcoSAML
import VarcoSPID
import VarcoXML

/// `GET /spid/slo?SAMLRequest=...`: a LogoutRequest the SPID provider starts (the citizen's session ended
/// there). Dispatched from `SPIDRoutes`; the provider's LogoutResponse to Varco's own LogoutRequest is handled
/// by `UpstreamLogoutRoutes`.
struct ProviderInitiatedLogoutRoutes {
    let varco: Varco

    /// A provider-initiated LogoutRequest (HTTP-Redirect): checked with the provider's metadata key; if it
    /// names the upstream login of this browser's session, that session ends here (the cookie is cleared and
    /// the end audited) and single logout tells the services it reached on the back channel (the browser goes back
    /// to the provider, so nothing can be framed). Answered with a signed LogoutResponse (Success) to the
    /// provider's SingleLogoutService.
    func receive(_ kind: UpstreamLogin.Kind, request: Request, client: String?) async throws -> Response {
        let message: InboundMessage
        do { message = try RedirectBinding.decode(query: Substring(request.uri.query ?? ""), parameter: "SAMLRequest") } catch {
            throw WebError.badRequest("spid_error_invalid", "\(kind.rawValue) SLO request: \(error)")
        }
        let issuer = (try? XMLDocument(bytes: message.xml))
            .flatMap { try? $0.root.child("Issuer", namespace: SAMLNamespace.assertion) }?.text
        guard let issuer, let provider = await varco.upstream.registry.provider(kind, entityID: issuer),
              let destination = provider.sloRedirectURL else {
            await varco.auditor.record(.requestRejected, detail: "\(kind.rawValue) LogoutRequest from an unknown provider", client: client)
            throw WebError(.forbidden, "spid_error_invalid", detail: "LogoutRequest from an unknown provider")
        }
        let logout: UpstreamLogoutRequestReceived
        do { logout = try UpstreamLogoutRequestReceived.read(message, provider: provider, endpoints: varco.upstream.endpoints(kind)) } catch {
            await varco.auditor.record(.requestRejected, relyingParty: provider.entityID,
                                       detail: "\(kind.rawValue) LogoutRequest refused: \(error.detail)", client: client)
            throw WebError(.forbidden, "spid_error_invalid", detail: error.detail)
        }
        var ended = false
        if let session = try await varco.engine.sessions.current(request.cookies[CookieNames.session]?.value),
           let upstream = session.upstream, logout.names(upstream) {
            do { _ = try await varco.logout.begin(session, initiator: .upstreamProvider(provider.entityID), browser: "", client: client) } catch SingleLogoutCoordinator.Problem.alreadyEnded {}
            ended = true
            await varco.auditor.record(.sessionEnded, subject: session.citizen.value, relyingParty: provider.entityID,
                                       detail: "\(kind.rawValue) provider-initiated single logout", client: client)
        }
        let answer = UpstreamLogoutResponse(id: varco.random.xmlID(), issueInstant: varco.clock.now(),
                                            issuer: varco.upstream.endpoints(kind).entityID, destination: destination,
                                            inResponseTo: logout.id)
        var response = Response(status: .found, headers: [.location: try answer.redirectURL(relayState: message.relayState,
                                                                                               key: varco.upstream.key(kind))])
        if ended { response.setCookie(CookieNames.clearSession()) }
        return response
    }
}
