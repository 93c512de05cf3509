import Foundation
import Hummingbird
import VarcoCore
import VarcoOIDC

/// `/admin/api/v1/oidc-clients`: register, change, disable, re-key and remove OIDC clients.
extension AdminAPIRoutes {
    struct NewClient: Decodable {
        let redirect_uris: [String]
        let client_name: String?
        let token_endpoint_auth_method: String?
        let post_logout_redirect_uris: [String]?
        let backchannel_logout_uri: String?
        let jwks: JWKSet?
        /// Absent or empty: every claim its scopes allow.
        let released_claims: [String]?
    }

    struct ClientChange: Decodable {
        let client_name: String?
        let enabled: Bool?
        let redirect_uris: [String]?
        let post_logout_redirect_uris: [String]?
        /// An empty string removes it.
        let backchannel_logout_uri: String?
        /// Absent: unchanged; empty: every claim its scopes allow (as released_attributes of SAML services).
        let released_claims: [String]?
    }

    struct IssuedClient: Encodable {
        let client: OIDCClientView
        /// Shown once, never stored.
        let client_secret: String?
    }

    func registerOIDC(on router: Router<VarcoRequestContext>) {
        let path = Self.base + "/oidc-clients"
        router.get(RouterPath(path)) { request, context in
            try await handle(request, context, .read) { _, _ in
                AdminJSON.response(try await varco.stores.relyingParties.list().compactMap(OIDCClientView.init))
            }
        }
        router.post(RouterPath(path)) { request, context in
            try await handle(request, context, .change) { principal, admin in
                let new = try await AdminJSON.decode(NewClient.self, from: request)
                guard let method = ClientRegistration.AuthMethod(rawValue: new.token_endpoint_auth_method ?? "client_secret_basic") else {
                    throw AdminFailure(.invalid, code: "auth-method", "token_endpoint_auth_method must be one of "
                                       + ClientRegistration.AuthMethod.allCases.map(\.rawValue).joined(separator: ", ") + ".")
                }
                let claims = try Self.claims(new.released_claims)
                let registry = OIDCClientRegistry(stores: varco.stores, clock: varco.clock, random: varco.random, actor: principal.actor.name)
                let issued: Administration.IssuedClient
                do {
                    issued = try await registry.add(.init(redirectURIs: new.redirect_uris, isPublic: method == .none, name: new.client_name,
                                                          authMethod: method, postLogoutRedirectURIs: new.post_logout_redirect_uris ?? [],
                                                          backchannelLogoutURI: new.backchannel_logout_uri, jwks: new.jwks,
                                                          releasedClaims: claims.flatMap { $0.isEmpty ? nil : $0 }))
                } catch let failure as Administration.Failure {
                    throw AdminFailure(.invalid, failure.description.components(separatedBy: "; ").map { .init(code: "client-registration", detail: $0) })
                }
                let party = try await admin.find(issued.clientID)
                guard let view = OIDCClientView(party) else { throw AdminFailure(.notFound, code: "not-found", "The client vanished meanwhile.") }
                return AdminJSON.response(IssuedClient(client: view, client_secret: issued.secret), .created, etag: party.version,
                                          location: "\(path)/\(issued.clientID)")
            }
        }
        router.get(RouterPath(path + "/:id")) { request, context in
            try await handle(request, context, .read) { _, admin in
                let party = try await admin.find(try context.parameters.require("id"))
                guard let view = OIDCClientView(party) else { throw Self.noClient() }
                return AdminJSON.response(view, etag: party.version)
            }
        }
        router.patch(RouterPath(path + "/:id")) { request, context in
            try await handle(request, context, .change) { _, admin in
                let id = try context.parameters.require("id")
                let change = try await AdminJSON.decode(ClientChange.self, from: request)
                let expected = try Self.ifMatch(request)
                let claims = try Self.claims(change.released_claims)
                guard OIDCClientView(try await admin.find(id)) != nil else { throw Self.noClient() }
                let party = try await admin.change(id: id, expectedVersion: expected, detail: "OIDC client changed") { party in
                    if let claims { party.settings.releasedAttributes = claims.isEmpty ? nil : UserClaim.releasedAttributes(for: claims) }
                    var registration = try JSONDecoder().decode(ClientRegistration.self, from: Data(party.metadata.utf8))
                    if let name = change.client_name { registration.clientName = name; party.displayName = name }
                    if let uris = change.redirect_uris { registration.redirectURIs = uris }
                    if let uris = change.post_logout_redirect_uris { registration.postLogoutRedirectURIs = uris.isEmpty ? nil : uris }
                    if let uri = change.backchannel_logout_uri { registration.backchannelLogoutURI = uri.isEmpty ? nil : uri }
                    if let enabled = change.enabled { party.enabled = enabled }
                    let problems = ClientRegistration.problems(redirectURIs: registration.redirectURIs)
                        + ClientRegistration.problems(postLogoutRedirectURIs: registration.postLogoutRedirectURIs ?? [],
                                                      backchannelLogoutURI: registration.backchannelLogoutURI)
                    guard problems.isEmpty else { throw AdminFailure(.invalid, problems.map { .init(code: "client-registration", detail: $0) }) }
                    party.metadata = registration.json
                }
                return AdminJSON.response(OIDCClientView(party), etag: party.version)
            }
        }
        router.post(RouterPath(path + "/:id/secret")) { request, context in
            try await handle(request, context, .change) { _, admin in
                let id = try context.parameters.require("id")
                guard OIDCClientView(try await admin.find(id))?.has_secret == true else {
                    throw AdminFailure(.invalid, code: "no-secret", "This client has no secret (it is public or uses private_key_jwt): nothing to rotate.")
                }
                let secret = varco.random.token()
                let party = try await admin.change(id: id, expectedVersion: try Self.ifMatch(request), detail: "OIDC client secret rotated") { party in
                    var registration = try JSONDecoder().decode(ClientRegistration.self, from: Data(party.metadata.utf8))
                    registration.clientSecretSHA256 = ClientRegistration.hashSecret(secret)
                    party.metadata = registration.json
                }
                guard let view = OIDCClientView(party) else { throw Self.noClient() }
                return AdminJSON.response(IssuedClient(client: view, client_secret: secret), etag: party.version)
            }
        }
        router.delete(RouterPath(path + "/:id")) { request, context in
            try await handle(request, context, .change) { _, admin in
                let id = try context.parameters.require("id")
                guard OIDCClientView(try await admin.find(id)) != nil else { throw Self.noClient() }
                try await admin.remove(id: id, expectedVersion: try Self.ifMatch(request))
                return Response(status: .noContent)
            }
        }
    }

    /// The claims named, checked: each unknown name is a problem of its own.
    static func claims(_ names: [String]?) throws -> [UserClaim]? {
        guard let names else { return nil }
        let (claims, unknown) = UserClaim.named(names)
        guard unknown.isEmpty else {
            throw AdminFailure(.invalid, unknown.map { .init(code: "claim", detail: "\($0) is not a claim Varco releases: use \(UserClaim.names).") })
        }
        return claims
    }

    static func noClient() -> AdminFailure {
        AdminFailure(.notFound, code: "not-found", "No OIDC client has this client_id: the list at \(base)/oidc-clients shows them.")
    }
}
