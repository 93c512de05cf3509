import Foundation
import Hummingbird
import Synchronization
import VarcoCore
import VarcoSAML
import VarcoXML

/// The demo services' pages, on their own loopback port: start a login, receive the Response, show
/// what arrived. They check the Response like any service provider must.
struct DemoServiceRoutes: Sendable {
    let varco: Varco
    let port: Int
    let key: XMLSigningKey
    /// The same key pair, to open encrypted assertions.
    let decryptionKey: XMLDecryptionKey?
    let outstanding = OutstandingRequests()
    let sessions = DemoSessions()

    init(varco: Varco, port: Int, key: XMLSigningKey, decryptionKey: XMLDecryptionKey? = nil) {
        self.varco = varco
        self.port = port
        self.key = key
        self.decryptionKey = decryptionKey
    }

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/") { _, _ in HTML.redirect(to: "/fse/") }
        // The "Esci" of the shared page header: Varco's own logout page.
        router.get("/logout") { _, _ in HTML.redirect(to: "\(varco.configuration.publicURL)/logout") }
        for service in DemoService.all {
            registerLogout(for: service, on: router)
            router.get("/\(service.slug)/") { request, _ -> Response in
                let page = DemoServicePage(name: service.name, level: service.level.uri, loginHref: "/\(service.slug)/login",
                                           forceHref: "/\(service.slug)/login?force=1", idpURL: varco.configuration.publicURL,
                                           others: DemoService.all.filter { $0.slug != service.slug }
                                               .map { .init(name: $0.name, href: "/\($0.slug)/") })
                return HTML.response(varco.pages.render("demo-service", language: request.language, model: page))
            }
            router.get("/\(service.slug)/metadata") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/samlmetadata+xml"],
                         body: .init(byteBuffer: ByteBuffer(string: service.metadata(port: port, certificateBase64: key.certificateBase64))))
            }
            router.get("/\(service.slug)/login") { request, _ -> Response in
                let id = varco.random.xmlID()
                outstanding.add(id, until: varco.clock.now().addingTimeInterval(600))
                return HTML.redirect(to: try service.loginURL(port: port, requestID: id, idp: varco.idp, key: key,
                                                              forceAuthn: request.uri.queryParameters["force"] != nil,
                                                              now: varco.clock.now()))
            }
            router.post("/\(service.slug)/acs") { request, _ -> Response in
                let form = try await request.form()
                guard let encoded = form["SAMLResponse"], let xml = Data(base64Encoded: encoded) else {
                    throw WebError.badRequest("error_malformedMessage", "demo ACS without SAMLResponse")
                }
                let validator = ResponseValidator(serviceProvider: service.entityID(port: port),
                                                  assertionConsumerServiceURL: service.acsURL(port: port),
                                                  identityProvider: varco.idp.entityID,
                                                  keys: varco.signingCertificates.compactMap { try? XMLVerificationKey(certificate: $0) },
                                                  decryptionKey: decryptionKey)
                var page: DemoResultPage
                var sessionCookie: Cookie?
                let inResponseTo = DemoResultPage.inResponseTo(Array(xml))
                if let inResponseTo, outstanding.take(inResponseTo, now: varco.clock.now()) {
                    do {
                        let login = try validator.validate(Array(xml), inResponseTo: inResponseTo, now: varco.clock.now())
                        let key = varco.random.token()
                        sessions.add(.init(nameID: login.nameID, sessionIndex: login.sessionIndex ?? ""), key: key)
                        sessionCookie = Cookie(name: "demo_\(service.slug)", value: key, path: "/", httpOnly: true, sameSite: .lax)
                        page = DemoResultPage(name: service.name, ok: true, error: nil, nameID: login.nameID,
                                              level: login.authnContextClassRef ?? "",
                                              attributes: login.attributes.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) },
                                              backHref: "/\(service.slug)/")
                    } catch {
                        page = DemoResultPage(name: service.name, ok: false, error: "\(error)", nameID: "", level: "", attributes: [],
                                              backHref: "/\(service.slug)/")
                    }
                } else {
                    page = DemoResultPage(name: service.name, ok: false, error: "unknown or already used InResponseTo", nameID: "",
                                          level: "", attributes: [], backHref: "/\(service.slug)/")
                }
                page.logoutHref = sessionCookie == nil ? nil : "/\(service.slug)/logout"
                var response = HTML.response(varco.pages.render("demo-result", language: request.language, model: page))
                if let sessionCookie { response.setCookie(sessionCookie) }
                return response
            }
        }
    }
}

/// Requests a demo service has sent and not yet seen answered: each answer is accepted once.
final class OutstandingRequests: Sendable {
    private let pending = Mutex<[String: Date]>([:])

    func add(_ id: String, until: Date) {
        pending.withLock { table in
            if table.count > 10_000 { table.removeAll() }
            table[id] = until
        }
    }

    func take(_ id: String, now: Date) -> Bool {
        pending.withLock { table in
            guard let until = table.removeValue(forKey: id) else { return false }
            return until > now
        }
    }
}

struct DemoServicePage: PageModel {
    struct Link: Sendable { let name: String; let href: String }
    let name: String
    let level: String
    let loginHref: String
    let forceHref: String
    let idpURL: String
    let others: [Link]
}

struct DemoResultPage: PageModel {
    struct Attribute: Sendable { let name: String; let value: String }
    let name: String
    let ok: Bool
    let error: String?
    let nameID: String
    let level: String
    let attributes: [Attribute]
    let backHref: String
    var logoutHref: String? = nil

    /// The InResponseTo of the Response, read only to find the pending request; the validator checks it again.
    static func inResponseTo(_ xml: [UInt8]) -> String? {
        (try? XMLDocument(bytes: xml))?.root.attribute("InResponseTo")
    }
}
