import Foundation
import Hummingbird
import VarcoCore
import VarcoOIDC

/// Console pages for OpenID Connect clients: registration (the secret shown once) and their URIs.
extension ConsoleRoutes {
    static let consoleAuthMethods: [ClientRegistration.AuthMethod] = [.clientSecretBasic, .clientSecretPost, .none]

    func registerClients(on router: Router<VarcoRequestContext>) {
        router.get("/admin/clients/new") { request, context in
            try await page(request, context, "admin-client-new") { _, page in page.authMethods = Self.methodOptions(nil) }
        }
        router.post("/admin/clients") { request, context in
            try await action(request, context) { user, form, page in
                var page = page
                let method = ClientRegistration.AuthMethod(rawValue: form["auth_method"] ?? "") ?? .clientSecretBasic
                let registry = OIDCClientRegistry(stores: varco.stores, clock: varco.clock, random: varco.random, actor: user.actor.name)
                do {
                    let issued = try await registry.add(.init(redirectURIs: Self.lines(form["redirect_uris"]), isPublic: method == .none,
                                                              name: (form["client_name"] ?? "").isEmpty ? nil : form["client_name"], authMethod: method,
                                                              postLogoutRedirectURIs: Self.lines(form["post_logout_redirect_uris"]),
                                                              backchannelLogoutURI: (form["backchannel_logout_uri"] ?? "").isEmpty ? nil : form["backchannel_logout_uri"],
                                                              releasedClaims: Self.claims(in: form)))
                    page.service = Self.detail(try await admin(nil).find(issued.clientID))
                    page.secret = issued.secret
                    page.notice = m("admin_done_registered", request)
                    return render("admin-service", page, request, status: .created)
                } catch let failure as Administration.Failure {
                    page.problems = failure.description.components(separatedBy: "; ")
                    page.newClient = .init(name: form["client_name"] ?? "", redirectURIs: form["redirect_uris"] ?? "",
                                           postLogoutURIs: form["post_logout_redirect_uris"] ?? "", backchannelURI: form["backchannel_logout_uri"] ?? "",
                                           claims: Self.claimOptions(selected: Set(Self.claims(in: form) ?? [])))
                    page.authMethods = Self.methodOptions(method)
                    return render("admin-client-new", page, request, status: .unprocessableContent)
                }
            }
        }
        router.post("/admin/services/:key/uris") { request, context in
            try await action(request, context) { user, form, page in
                var page = page
                let id = try id(context)
                do {
                    _ = try await admin(user).change(id: id, expectedVersion: Int(form["version"] ?? ""), detail: "OIDC client URIs changed") { party in
                        var registration = try JSONDecoder().decode(ClientRegistration.self, from: Data(party.metadata.utf8))
                        registration.redirectURIs = Self.lines(form["redirect_uris"])
                        let logout = Self.lines(form["post_logout_redirect_uris"])
                        registration.postLogoutRedirectURIs = logout.isEmpty ? nil : logout
                        let backchannel = (form["backchannel_logout_uri"] ?? "").trimmingCharacters(in: .whitespaces)
                        registration.backchannelLogoutURI = backchannel.isEmpty ? nil : backchannel
                        let problems = ClientRegistration.problems(redirectURIs: registration.redirectURIs)
                            + ClientRegistration.problems(postLogoutRedirectURIs: logout, backchannelLogoutURI: registration.backchannelLogoutURI)
                        guard problems.isEmpty else { throw AdminFailure(.invalid, problems.map { .init(code: "client-registration", detail: $0) }) }
                        party.metadata = registration.json
                    }
                    return HTML.redirect(to: "/admin/services/\(try context.parameters.require("key"))?fatto=salvato")
                } catch let failure as AdminFailure where failure.kind != .notFound {
                    page.service = Self.detail(try await admin(nil).find(id))
                    page.problems = failure.problems.map(\.detail)
                    return render("admin-service", page, request, status: failure.kind == .stale ? .conflict : .unprocessableContent)
                }
            }
        }
    }

    static func lines(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func methodOptions(_ current: ClientRegistration.AuthMethod?) -> [ConsolePage.Option] {
        consoleAuthMethods.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0 == (current ?? .clientSecretBasic)) }
    }
}
