import Foundation
import Hummingbird
import Synchronization
import VarcoCore
import VarcoSAML
import VarcoXML

/// Single logout at the demo services, as a SAML service provider does it: "Esci" sends a signed
/// LogoutRequest to Varco; Varco's LogoutRequests (through the browser, in a frame) end the service's own
/// session for that NameID and SessionIndex and are answered with a signed LogoutResponse.
extension DemoServiceRoutes {
    func registerLogout(for service: DemoService, on router: Router<VarcoRequestContext>) {
        let cookie = "demo_\(service.slug)"
        router.get("/\(service.slug)/logout") { request, _ -> Response in
            guard let key = request.cookies[cookie]?.value, let login = sessions.find(key) else { return HTML.redirect(to: "/\(service.slug)/") }
            let (id, message) = try messages(service).request(
                to: .init(binding: SAMLBinding.httpRedirect.rawValue, location: varco.idp.sloURL ?? ""), serviceProvider: service.entityID(port: port),
                nameID: login.nameID, nameIDFormat: NameIDFormat.transient, sessionIndex: login.sessionIndex, lifetime: 300, now: varco.clock.now())
            outstanding.add(id, until: varco.clock.now().addingTimeInterval(600))
            return HTML.redirect(to: message.destination)
        }
        router.get("/\(service.slug)/slo") { request, _ -> Response in
            let query = Substring(request.uri.query ?? "")
            let isResponse = request.uri.queryParameters["SAMLResponse"] != nil
            let inbound = try RedirectBinding.decode(query: query, parameter: isResponse ? "SAMLResponse" : "SAMLRequest")
            let keys = varco.signingCertificates.compactMap { try? XMLVerificationKey(certificate: $0) }
            guard let signature = inbound.redirectSignature,
                  RawSignature.verify(signature.signature, over: signature.signedOctets, algorithm: signature.algorithm, keys: keys) else {
                throw WebError.badRequest("error_badSignature", "demo service: unsigned or badly signed logout message")
            }
            let root = try XMLDocument(bytes: inbound.xml).root
            if isResponse {
                let response = try LogoutResponse(root)
                guard let inResponseTo = response.inResponseTo, outstanding.take(inResponseTo, now: varco.clock.now()) else {
                    throw WebError.badRequest("error_unsolicitedResponse", "demo service: LogoutResponse to no request")
                }
                if let key = request.cookies[cookie]?.value { sessions.remove(key) }
                var page = HTML.response(varco.pages.render("demo-logged-out", language: request.language, model: DemoLoggedOutPage(
                    name: service.name, partial: response.subStatus == SAMLStatus.SecondLevel.partialLogout.rawValue, backHref: "/\(service.slug)/")))
                page.setCookie(Cookie(name: cookie, value: "", maxAge: 0, path: "/"))
                return page
            }
            let logout = try LogoutRequest(root)
            let ended = sessions.end(nameID: logout.nameID, sessionIndexes: logout.sessionIndexes)
            let reply = LogoutReply(serviceProvider: varco.idp.entityID,
                                    endpoint: .init(binding: SAMLBinding.httpRedirect.rawValue, location: varco.idp.sloURL ?? ""),
                                    inResponseTo: logout.id, relayState: inbound.relayState,
                                    status: ended ? .success : SAMLStatus(.requester, .unknownPrincipal))
            return HTML.redirect(to: try messages(service).response(reply, now: varco.clock.now()).destination)
        }
    }

    /// Messages signed with the demo services' key, with the service as their Issuer.
    func messages(_ service: DemoService) -> LogoutMessageBuilder {
        LogoutMessageBuilder(configuration: IdentityProviderConfiguration(entityID: service.entityID(port: port), ssoURL: "", pairwiseSecret: []),
                             key: key, random: varco.random)
    }
}

/// The demo services' own sessions: who is logged in, by a random cookie value.
final class DemoSessions: Sendable {
    struct Login: Sendable { let nameID: String; let sessionIndex: String }
    private let table = Mutex<[String: Login]>([:])

    func add(_ login: Login, key: String) {
        table.withLock { table in
            if table.count > 10_000 { table.removeAll() }
            table[key] = login
        }
    }

    func find(_ key: String) -> Login? { table.withLock { $0[key] } }
    func remove(_ key: String) { table.withLock { _ = $0.removeValue(forKey: key) } }

    /// Ends the sessions of this NameID (and SessionIndex, when given); false if there was none.
    func end(nameID: String, sessionIndexes: [String]) -> Bool {
        table.withLock { table in
            let keys = table.filter { $0.value.nameID == nameID && (sessionIndexes.isEmpty || sessionIndexes.contains($0.value.sessionIndex)) }.keys
            for key in keys { table.removeValue(forKey: key) }
            return !keys.isEmpty
        }
    }
}

struct DemoLoggedOutPage: PageModel {
    let name: String
    let partial: Bool
    let backHref: String
}
