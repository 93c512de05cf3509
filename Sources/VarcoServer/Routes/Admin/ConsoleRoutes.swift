import Foundation
import Hummingbird
import VarcoCore
import VarcoOIDC
import VarcoSAML

/// The administration console under `/admin`: server-rendered pages, Italian by default, every form with the
/// console's CSRF token, destructive actions confirmed on a second page, secrets shown once.
struct ConsoleRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        do {  // "/admin/" too: the router ignores a trailing slash
            router.get("/admin") { request, context in
                try await page(request, context, "admin-home") { _, page in
                    page.services = try await varco.stores.relyingParties.list().map(Self.row)
                    switch request.uri.queryParameters["fatto"] {
                    case "rimosso": page.notice = m("admin_done_removed", request)
                    default: break
                    }
                }
            }
        }
        router.get("/admin/services/new") { request, context in
            try await page(request, context, "admin-service-new") { _, _ in }
        }
        router.post("/admin/services") { request, context in
            try await action(request, context) { user, form, page in
                var page = page
                page.newService = .init(metadata: form["metadata"] ?? "", displayName: form["display_name"] ?? "")
                var metadata = form["metadata_file"] ?? ""
                if metadata.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { metadata = form["metadata"] ?? "" }
                do {
                    let url = (form["metadata_url"] ?? "").trimmingCharacters(in: .whitespaces)
                    let party = url.isEmpty
                        ? try await admin(user).registerSAML(metadataXML: metadata, displayName: form["display_name"])
                        : try await admin(user).registerSAML(metadataURL: url, pinnedCertificate: form["pinned_certificate"],
                                                             entityID: form["entity_id"], displayName: form["display_name"],
                                                             fetcher: varco.metadataFetcher)
                    return HTML.redirect(to: "/admin/services/\(SAMLServiceView.key(party.id))?fatto=registrato")
                } catch let failure as AdminFailure {
                    page.problems = failure.problems.map(\.detail)
                    return render("admin-service-new", page, request, status: .unprocessableContent)
                }
            }
        }
        router.get("/admin/services/:key") { request, context in
            try await page(request, context, "admin-service") { _, page in
                let party = try await admin(nil).find(try id(context))
                page.service = Self.detail(party)
                page.levels = Self.levelOptions(party.settings.minimumLevel)
                switch request.uri.queryParameters["fatto"] {
                case "registrato": page.notice = m("admin_done_registered", request)
                case "salvato": page.notice = m("admin_done_saved", request)
                default: break
                }
            }
        }
        router.post("/admin/services/:key/settings") { request, context in
            try await action(request, context) { user, form, page in
                var page = page
                let id = try id(context)
                do {
                    _ = try await admin(user).change(id: id, expectedVersion: Int(form["version"] ?? ""), detail: "settings changed") { party in
                        if let name = form["display_name"] { party.displayName = name }
                        if party.kind == .oidcClient {
                            party.settings.releasedAttributes = Self.claims(in: form).map(UserClaim.releasedAttributes(for:))
                        }
                        guard party.kind == .samlServiceProvider else { return }
                        party.settings.signResponse = form["sign_response"] == "on"
                        party.settings.signAssertion = form["sign_assertion"] == "on"
                        party.settings.requireSignedRequests = form["require_signed_requests"] == "on"
                        party.settings.minimumLevel = LevelNames.level(form["minimum_level"] ?? "")
                        party.settings.alwaysForceAuthn = form["always_force_authn"] == "on"
                        party.settings.encryptAssertion = form["encrypt_assertion"] == "on"
                        party.settings.defaultNameIDFormat = form["name_id_format"] == "persistent" ? .persistent : .transient
                        let attributes = IdentityAttribute.allCases.filter { form["attr_\($0.rawValue)"] == "on" }
                        party.settings.releasedAttributes = attributes.isEmpty ? nil : attributes
                    }
                    return HTML.redirect(to: "/admin/services/\(try context.parameters.require("key"))?fatto=salvato")
                } catch let failure as AdminFailure {
                    let party = try await admin(nil).find(id)
                    page.service = Self.detail(party)
                    page.levels = Self.levelOptions(party.settings.minimumLevel)
                    page.problems = failure.problems.map(\.detail)
                    return render("admin-service", page, request, status: failure.kind == .stale ? .conflict : .unprocessableContent)
                }
            }
        }
        router.post("/admin/services/:key/refresh") { request, context in
            try await action(request, context) { user, form, page in
                var page = page
                let key = try context.parameters.require("key")
                do {
                    _ = try await admin(user).refresh(id: try id(context), fetcher: varco.metadataFetcher)
                    return HTML.redirect(to: "/admin/services/\(key)?fatto=salvato")
                } catch let failure as AdminFailure where failure.kind == .invalid {
                    let party = try await admin(nil).find(try id(context))
                    page.service = Self.detail(party)
                    page.levels = Self.levelOptions(party.settings.minimumLevel)
                    page.problems = failure.problems.map(\.detail)
                    return render("admin-service", page, request, status: .unprocessableContent)
                }
            }
        }
        router.post("/admin/services/:key/enable") { request, context in
            try await action(request, context) { user, form, _ in
                _ = try await admin(user).setEnabled(id: try id(context), true, expectedVersion: nil)
                return HTML.redirect(to: "/admin/services/\(try context.parameters.require("key"))?fatto=salvato")
            }
        }
        router.post("/admin/services/:key/disable") { request, context in
            try await action(request, context) { user, form, page in
                let key = try context.parameters.require("key")
                guard form["confirm"] == "1" else {
                    return try await confirm(request, page, action: "/admin/services/\(key)/disable", question: "admin_confirm_disable",
                                             subject: try await admin(nil).find(try id(context)).displayName, cancel: "/admin/services/\(key)")
                }
                _ = try await admin(user).setEnabled(id: try id(context), false, expectedVersion: nil)
                return HTML.redirect(to: "/admin/services/\(key)?fatto=salvato")
            }
        }
        router.post("/admin/services/:key/remove") { request, context in
            try await action(request, context) { user, form, page in
                let key = try context.parameters.require("key")
                guard form["confirm"] == "1" else {
                    return try await confirm(request, page, action: "/admin/services/\(key)/remove", question: "admin_confirm_remove",
                                             subject: try await admin(nil).find(try id(context)).displayName, cancel: "/admin/services/\(key)")
                }
                try await admin(user).remove(id: try id(context), expectedVersion: nil)
                return HTML.redirect(to: "/admin/?fatto=rimosso")
            }
        }
        router.post("/admin/services/:key/secret") { request, context in
            try await action(request, context) { user, form, page in
                let key = try context.parameters.require("key")
                guard form["confirm"] == "1" else {
                    return try await confirm(request, page, action: "/admin/services/\(key)/secret", question: "admin_confirm_secret",
                                             subject: try await admin(nil).find(try id(context)).displayName, cancel: "/admin/services/\(key)")
                }
                var page = page
                let secret = varco.random.token()
                let party = try await admin(user).change(id: try id(context), expectedVersion: nil, detail: "OIDC client secret rotated") { party in
                    var registration = try JSONDecoder().decode(ClientRegistration.self, from: Data(party.metadata.utf8))
                    guard registration.clientSecretSHA256 != nil else {
                        throw AdminFailure(.invalid, code: "no-secret", "This client has no secret (public or private_key_jwt).")
                    }
                    registration.clientSecretSHA256 = ClientRegistration.hashSecret(secret)
                    party.metadata = registration.json
                }
                page.service = Self.detail(party)
                page.secret = secret
                page.notice = m("admin_secret_once", request)
                return render("admin-service", page, request)
            }
        }
        registerAccess(on: router)
        registerClients(on: router)
    }

    // MARK: Rows and details

    static func row(_ party: RelyingParty) -> ConsolePage.Row {
        ConsolePage.Row(key: SAMLServiceView.key(party.id), id: party.id, name: party.displayName,
                        kind: party.kind == .samlServiceProvider ? "SAML" : "OIDC", enabled: party.enabled, problem: party.source?.lastError)
    }

    static func detail(_ party: RelyingParty) -> ConsolePage.Detail {
        let isSAML = party.kind == .samlServiceProvider
        let client = OIDCClientView(party)
        let metadata = isSAML ? try? ServiceProviderMetadata(xml: party.metadata) : nil
        let endpoints = isSAML ? (metadata?.assertionConsumerServices.map(\.location) ?? []) : (client?.redirect_uris ?? [])
        let released = Set(party.settings.releasedAttributes ?? [])
        var detail = ConsolePage.Detail(key: SAMLServiceView.key(party.id), id: party.id, name: party.displayName, isSAML: isSAML,
                                        enabled: party.enabled, version: party.version, endpoints: endpoints,
                                        signResponse: party.settings.signResponse, signAssertion: party.settings.signAssertion,
                                        requireSignedRequests: party.settings.requireSignedRequests,
                                  alwaysForceAuthn: party.settings.alwaysForceAuthn,
                                        encryptAssertion: party.settings.encryptAssertion,
                                        hasEncryptionKey: !(metadata?.encryptionCertificates.isEmpty ?? true),
                                  persistentNameID: party.settings.defaultNameIDFormat == .persistent,
                                        attributes: IdentityAttribute.allCases.map { .init(value: $0.rawValue, label: $0.rawValue, selected: released.contains($0)) },
                                        hasSecret: client?.has_secret ?? false, metadataURL: party.source?.url, lastError: party.source?.lastError)
        if let client {
            detail.redirectURIs = client.redirect_uris.joined(separator: "\n")
            detail.postLogoutURIs = client.post_logout_redirect_uris.joined(separator: "\n")
            detail.backchannelURI = client.backchannel_logout_uri ?? ""
            detail.authMethod = client.token_endpoint_auth_method
            detail.claims = claimOptions(selected: party.settings.releasedAttributes.map { Set(UserClaim.allowed(by: $0)) } ?? [])
        }
        return detail
    }

    /// The claim checkboxes, `selected` ticked; the labels are message keys until `render` translates them.
    static func claimOptions(selected: Set<UserClaim>) -> [ConsolePage.ClaimOption] {
        UserClaim.allCases.map {
            .init(key: claimKey($0), name: $0.rawValue, label: "admin_claim_\(claimKey($0))", selected: selected.contains($0))
        }
    }

    /// The claims ticked in a form; nil when none is (no limit).
    static func claims(in form: [String: String]) -> [UserClaim]? {
        let ticked = UserClaim.allCases.filter { form["claim_\(claimKey($0))"] == "on" }
        return ticked.isEmpty ? nil : ticked
    }

    /// A claim's name as a form field may carry it: the last part of a URI name (fiscal_number).
    static func claimKey(_ claim: UserClaim) -> String {
        String(claim.rawValue.split(separator: "/").last ?? Substring(claim.rawValue))
    }

    static func levelOptions(_ current: LevelOfAssurance?) -> [ConsolePage.Option] {
        [ConsolePage.Option(value: "", label: "—", selected: current == nil)]
            + LevelOfAssurance.allCases.map { .init(value: LevelNames.name($0), label: LevelNames.name($0), selected: $0 == current) }
    }

    // MARK: Plumbing

    func m(_ key: String, _ request: Request) -> String { varco.pages.message(key, request.language) }

    func admin(_ user: ConsoleUser?) -> RelyingPartyAdmin {
        RelyingPartyAdmin(stores: varco.stores, clock: varco.clock, random: varco.random, actor: user?.actor ?? .commandLine,
                          demo: varco.configuration.demo)
    }

    func id(_ context: VarcoRequestContext) throws -> String {
        guard let id = SAMLServiceView.id(fromKey: try context.parameters.require("key")) else {
            throw WebError(.notFound, "admin_not_found", detail: "console: malformed service key")
        }
        return id
    }

    func render(_ template: String, _ page: ConsolePage, _ request: Request, status: HTTPResponse.Status = .ok) -> Response {
        // Claim labels in the page's language.
        func translated(_ claims: [ConsolePage.ClaimOption]) -> [ConsolePage.ClaimOption] {
            claims.map { claim in var claim = claim; claim.label = m(claim.label, request); return claim }
        }
        var page = page
        if let claims = page.service?.claims { page.service?.claims = translated(claims) }
        page.newClient.claims = translated(page.newClient.claims)
        var response = HTML.response(varco.pages.render(template, language: request.language, model: page), status: status)
        response.headers[.cacheControl] = "no-store"
        if request.uri.queryParameters["lang"] != nil { response.setCookie(CookieNames.language(request.language)) }
        return response
    }

    /// A page for a signed-in user who may read; the sign-in page otherwise.
    func page(_ request: Request, _ context: VarcoRequestContext, _ template: String,
              _ fill: (ConsoleUser, inout ConsolePage) async throws -> Void) async throws -> Response {
        switch try await ConsoleGate(varco: varco).check(request, context) {
        case .signIn:
            var page = ConsolePage()
            if let outcome = request.uri.queryParameters["accesso"] { page.notice = m("admin_signin_\(outcome.replacingOccurrences(of: "-", with: "_"))", request) }
            if page.notice?.hasPrefix("admin_signin_") == true { page.notice = nil }
            return render("admin-signin", page, request, status: request.uri.path.hasPrefix("/admin/services") ? .unauthorized : .ok)
        case .forbidden:
            var page = ConsolePage()
            page.problems = [m("admin_no_role", request)]
            return render("admin-signin", page, request, status: .forbidden)
        case .user(let user):
            var page = frame(user)
            do { try await fill(user, &page) } catch let failure as AdminFailure where failure.kind == .notFound {
                throw WebError(.notFound, "admin_not_found", detail: failure.description)
            }
            return render(template, page, request)
        }
    }

    /// A form submission: needs a user who may change things and the console's CSRF token.
    func action(_ request: Request, _ context: VarcoRequestContext,
                _ body: (ConsoleUser, [String: String], ConsolePage) async throws -> Response) async throws -> Response {
        guard case .user(let user) = try await ConsoleGate(varco: varco).check(request, context) else {
            var page = ConsolePage()
            page.problems = [m("admin_signin_needed", request)]
            return render("admin-signin", page, request, status: .unauthorized)
        }
        let form = try await Self.fields(request)
        guard ConstantTime.equal(form["csrf"] ?? "", user.csrf) else {
            throw WebError(.forbidden, "error_csrf", detail: "console form without the console's CSRF token")
        }
        guard user.canChange else {
            await varco.auditor.record(.adminRefused, subject: user.claims.cf, detail: "console: \(request.uri.path) needs the admin role",
                                       client: context.clientAddress)
            throw WebError(.forbidden, "admin_read_only", detail: "console change by a user without the admin role")
        }
        do { return try await body(user, form, frame(user)) } catch let failure as AdminFailure {
            var page = frame(user)
            page.problems = failure.problems.map(\.detail)
            let status: HTTPResponse.Status = switch failure.kind {
            case .notFound: .notFound
            case .conflict, .stale: .conflict
            case .invalid: .unprocessableContent
            }
            return render("admin-error", page, request, status: status)
        }
    }

    func frame(_ user: ConsoleUser) -> ConsolePage {
        var page = ConsolePage()
        page.user = user.claims.cf
        page.csrf = user.csrf
        page.canChange = user.canChange
        page.signedIn = true
        return page
    }

    func confirm(_ request: Request, _ page: ConsolePage, action: String, question: String, subject: String, cancel: String,
                 fields: [ConsolePage.Field] = []) async throws -> Response {
        var page = page
        page.confirm = ConsolePage.Confirm(action: action, question: m(question, request).replacingOccurrences(of: "%@", with: subject),
                                           fields: fields, cancel: cancel)
        return render("admin-confirm", page, request)
    }

    /// The fields of a urlencoded or multipart form (at most 1 MB, for uploaded metadata).
    static func fields(_ request: Request) async throws -> [String: String] {
        let contentType = request.headers[.contentType] ?? ""
        if contentType.lowercased().hasPrefix("multipart/form-data") {
            let body = String(buffer: try await request.body.collect(upTo: 1024 * 1024 + 16 * 1024))
            guard let form = MultipartForm(body: body, contentType: contentType) else {
                throw WebError.badRequest("error_badRequest", "console: malformed multipart form")
            }
            return form.fields
        }
        let form = try await request.form(limit: 1024 * 1024 + 16 * 1024)
        var fields: [String: String] = [:]
        for field in form.fields where fields[field.name] == nil { fields[field.name] = field.value }
        return fields
    }
}
