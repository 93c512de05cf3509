import Foundation
import HTTPTypes
import Hummingbird
import VarcoCore
import VarcoSmartCard
import X509

/// "Entra con Carta": `GET /login/{id}/smartcard` on the main listener explains the step and links to the card
/// address; `GET /login/{id}/smartcard/present` on the card listener (TLS mode), or on the main listener from a
/// trusted reverse proxy (proxy mode), checks the card and finishes the login.
struct SmartCardRoutes {
    let varco: Varco
    let card: SmartCardAuthenticator

    static let presentPath = "smartcard/present"

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/login/:id/smartcard") { request, context -> Response in
            let transaction = try await varco.engine.load(try context.parameters.require("id"),
                                                          browser: request.cookies[CookieNames.browser]?.value)
            switch try await varco.engine.choose(.smartCard, in: transaction) {
            case .showMethod(let current, .smartCard):
                let page = SmartCardPage(serviceName: await StepRenderer(varco: varco).serviceName(current),
                                         cardHref: cardHref(current), backHref: "/login/\(current.id)",
                                         cancelAction: "/login/\(current.id)/cancel", csrf: current.csrfToken)
                return HTML.response(varco.pages.render("login-smartcard", language: request.language, model: page))
            case let other:
                return try await StepRenderer(varco: varco).response(other, language: request.language)
            }
        }
        guard !varco.configuration.smartCard.trustedProxies.isEmpty else { return }
        router.get("/login/:id/\(Self.presentPath)") { request, context -> Response in
            try await present(request, id: try context.parameters.require("id"), client: forwardedClient(request, peer: context.clientAddress),
                              evidence: proxyEvidence(request, client: context.clientAddress))
        }
    }

    /// For the audit log: behind a configured proxy, the address the proxy names last in X-Forwarded-For.
    func forwardedClient(_ request: Request, peer: String?) -> String? {
        guard let peer, varco.configuration.smartCard.trustedProxies.contains(peer),
              let name = HTTPField.Name("X-Forwarded-For"), let forwarded = request.headers[name]?.split(separator: ",").last else { return peer }
        return forwarded.trimmingCharacters(in: .whitespaces)
    }

    /// The card listener's routes.
    func register(on router: Router<CardRequestContext>) {
        router.get("/login/:id/\(Self.presentPath)") { request, context -> Response in
            try await present(request, id: try context.parameters.require("id"), client: context.clientAddress,
                              evidence: await context.cardEvidence())
        }
        router.get("/") { _, _ -> Response in HTML.redirect(to: varco.configuration.publicURL + "/") }
    }

    func cardHref(_ transaction: LoginTransaction) -> String {
        let base = varco.configuration.smartCard.cardURL(main: varco.configuration.publicURL) ?? ""
        return "\(base)/login/\(transaction.id)/\(Self.presentPath)"
    }

    /// Reverse-proxy mode: the header counts only from a configured proxy; from anyone else it is ignored,
    /// logged, and the attempt refused.
    func proxyEvidence(_ request: Request, client: String?) async -> CardEvidence {
        let settings = varco.configuration.smartCard
        guard let name = HTTPField.Name(settings.proxyHeader) else { return .none }
        let values = request.headers[values: name]
        guard !values.isEmpty else { return .none }
        guard let client, settings.trustedProxies.contains(client) else {
            varco.logger.warning("ignored a client-certificate header from an address that is not a configured proxy: check --card-trusted-proxy, and that the proxy strips this header from clients",
                                 metadata: ["client": "\(client ?? "-")", "header": "\(settings.proxyHeader)"])
            return .refused(CardRefusal(.untrustedProxyHeader, "\(settings.proxyHeader) header from \(client ?? "unknown address"), not a configured proxy"), leaf: nil)
        }
        guard values.count == 1 else {
            return .refused(CardRefusal(.malformedCertificate, "\(values.count) \(settings.proxyHeader) headers"), leaf: nil)
        }
        do throws(CardRefusal) {
            guard let certificates = try ProxyCertificateHeader.certificates(values[0]) else { return .none }
            return .presented(certificates)
        } catch {
            return .refused(error, leaf: nil)
        }
    }

    func present(_ request: Request, id: String, client: String?, evidence: CardEvidence) async throws -> Response {
        var transaction = try await varco.engine.load(id, browser: request.cookies[CookieNames.browser]?.value)
        if transaction.state != .proving(.smartCard) {
            switch try await varco.engine.choose(.smartCard, in: transaction) {
            case .showMethod(let current, .smartCard): transaction = current
            case let other: return try await StepRenderer(varco: varco).response(other, language: request.language)
            }
        }
        var leaf: Certificate?
        do {
            let login: CardLogin
            switch evidence {
            case .none: throw CardRefusal(.noCertificate, "no client certificate")
            case .refused(let refusal, let presented):
                leaf = presented
                throw refusal
            case .validated(let validated):
                leaf = validated.leaf
                login = try await card.inspector.complete(validated)
            case .presented(let certificates):
                leaf = certificates.first
                login = try await card.inspector.inspect(certificates)
            }
            let result = try await card.authenticate(login)
            await varco.auditor.record(.loginSucceeded, subject: result.citizen.value, relyingParty: transaction.relyingParty,
                                       detail: "smartcard \(login.family.label) \(login.leaf.auditName): accepted; \(login.revocation.summary)",
                                       client: client)
            let step = try await varco.engine.succeeded(transaction, result: result, sessionCookie: request.cookies[CookieNames.session]?.value)
            return try await StepRenderer(varco: varco).response(step, language: request.language)
        } catch let refusal as CardRefusal {
            await varco.auditor.record(.loginFailed, relyingParty: transaction.relyingParty,
                                       detail: "smartcard \(leaf?.auditName ?? "no certificate"): refused, \(refusal.reason.rawValue): \(refusal.detail)",
                                       client: client)
            switch try await varco.engine.failed(transaction) {
            case .showMethod(let current, _):
                return refusedPage(current, refusal, language: request.language)
            case let other:
                return try await StepRenderer(varco: varco).response(other, language: request.language)
            }
        }
    }

    func refusedPage(_ transaction: LoginTransaction, _ refusal: CardRefusal, language: Language) -> Response {
        let main = varco.configuration.publicURL
        let page = SmartCardRefusedPage(reason: refusal.reason.rawValue,
                                        message: varco.pages.message("card_error_\(refusal.reason.rawValue)", language),
                                        retryHref: cardHref(transaction), backHref: "\(main)/login/\(transaction.id)")
        return HTML.response(varco.pages.render("login-smartcard-refused", language: language, model: page), status: .forbidden)
    }
}

struct SmartCardPage: PageModel {
    let serviceName: String
    let cardHref: String
    let backHref: String
    let cancelAction: String
    let csrf: String
}

struct SmartCardRefusedPage: PageModel {
    let reason: String
    let message: String
    let retryHref: String
    let backHref: String
}
