import Hummingbird
import VarcoCore

/// The login pages shared by every method: `GET /login/{id}` (choose a method) and
/// `POST /login/{id}/cancel`.
struct LoginRoutes {
    let varco: Varco

    /// The label and hint keys of each method on the choice page.
    static let labels: [AuthenticationMethod: (String, String)] = [
        .otpApp: ("method_otpApp", "method_otpApp_hint"),
        .otpSMS: ("method_otpSMS", "method_otpSMS_hint"),
        .smartCard: ("method_smartCard", "method_smartCard_hint"),
        .spid: ("method_spid", "method_spid_hint"),
        .cie: ("method_cie", "method_cie_hint"),
    ]

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/login/:id") { request, context -> Response in
            let transaction = try await varco.engine.load(try context.parameters.require("id"),
                                                          browser: request.cookies[CookieNames.browser]?.value)
            let language = request.language
            let available = varco.engine.methods.filter { $0.canSatisfy(transaction.requirement) }.map(\.method)
            let methods = available.filter { $0 != .spid && $0 != .cie }.map { method in
                let (label, hint) = Self.labels[method] ?? (method.rawValue, method.rawValue)
                return MethodsPage.Method(href: "/login/\(transaction.id)/\(method.rawValue)",
                                          label: varco.pages.message(label, language), hint: varco.pages.message(hint, language))
            }
            var page = MethodsPage(serviceName: await StepRenderer(varco: varco).serviceName(transaction), methods: methods,
                                   cancelAction: "/login/\(transaction.id)/cancel", csrf: transaction.csrfToken)
            let spidProviders = available.contains(.spid) ? await varco.upstream.registry.providers(.spid) : []
            if !spidProviders.isEmpty {
                page.spid = SPIDButton(providers: spidProviders.shuffled().map {
                    .init(name: $0.displayName, href: "/login/\(transaction.id)/spid?idp=\(URLEncodedForm.encode($0.entityID))")
                })
            }
            if available.contains(.cie), !(await varco.upstream.registry.providers(.cie)).isEmpty {
                page.cieHref = "/login/\(transaction.id)/cie"
            }
            var response = HTML.response(varco.pages.render("login-methods", language: language, model: page))
            if request.uri.queryParameters["lang"] != nil { response.setCookie(CookieNames.language(language)) }
            return response
        }
        router.post("/login/:id/cancel") { request, context -> Response in
            let transaction = try await varco.engine.load(try context.parameters.require("id"),
                                                          browser: request.cookies[CookieNames.browser]?.value)
            try CSRF.check(try await request.form(), transaction)
            await varco.auditor.record(.loginFailed, relyingParty: transaction.relyingParty, detail: "cancelled by the citizen",
                                       client: context.clientAddress)
            return try await StepRenderer(varco: varco).response(try await varco.engine.cancel(transaction), language: request.language)
        }
    }
}

enum CSRF {
    /// Every form of a login carries the transaction's token; the browser cookie was checked by `load`.
    static func check(_ form: URLEncodedForm, _ transaction: LoginTransaction) throws {
        guard let token = form["csrf"], ConstantTime.equal(token, transaction.csrfToken) else {
            throw WebError(.forbidden, "error_csrf", detail: "missing or wrong CSRF token")
        }
    }
}
