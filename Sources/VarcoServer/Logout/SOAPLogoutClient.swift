import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import VarcoCore
import VarcoSAML

/// Tells a SAML service over the back channel (SOAP binding, SAML bindings §3.2), for services whose
/// metadata offers no browser binding for single logout: a signed LogoutRequest, and a signed
/// LogoutResponse that must answer it.
struct SOAPLogoutClient: Sendable {
    let messages: LogoutMessageBuilder
    let responses: LogoutResponseReceiver
    let metadataCache: MetadataCache
    let relyingParties: any RelyingPartyStore
    let clock: any WallClock
    var timeout: TimeInterval = 5

    func logout(_ step: LogoutStep) async -> (LogoutStep.Outcome, String?) {
        guard let party = try? await relyingParties.find(id: step.relyingParty),
              let endpoint = try? metadataCache.entry(for: party.id, xml: party.metadata).metadata.soapLogoutService,
              let url = URL(string: endpoint.location) else { return (.failed, "no SOAP SingleLogoutService in the metadata") }
        let request: (id: String, xml: String)
        do {
            request = try messages.soapRequest(to: endpoint, serviceProvider: step.relyingParty, nameID: step.nameID,
                                               nameIDFormat: step.nameIDFormat, sessionIndex: step.sessionIndex, lifetime: timeout,
                                               now: clock.now())
        } catch { return (.failed, "could not sign the LogoutRequest: \(error)") }
        var http = URLRequest(url: url, timeoutInterval: timeout)
        http.httpMethod = "POST"
        http.setValue("text/xml; charset=utf-8", forHTTPHeaderField: "Content-Type")
        http.setValue("\"http://www.oasis-open.org/committees/security\"", forHTTPHeaderField: "SOAPAction")
        http.httpBody = Data(SOAPBinding.envelope(request.xml).utf8)
        do {
            let (body, answer) = try await URLSession.shared.data(for: http)
            let status = (answer as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 else { return (.failed, "SOAP endpoint \(endpoint.location) answered HTTP \(status)") }
            let inbound = try SOAPBinding.decode(Array(body))
            switch try await responses.receive(inbound) {
            case .failure(let refusal): return (.failed, "SOAP LogoutResponse refused: \(refusal.kind.rawValue): \(refusal.detail)")
            case .success(let response):
                guard response.issuer == step.relyingParty, response.inResponseTo == request.id else {
                    return (.failed, "SOAP LogoutResponse does not answer the LogoutRequest \(request.id)")
                }
                return response.isSuccess ? (.loggedOut, nil) : (.failed, "status \(response.status)")
            }
        } catch {
            return (.failed, "SOAP endpoint \(endpoint.location) not reachable: \(error)")
        }
    }
}
