import Foundation
import Hummingbird
import VarcoCore
import VarcoOIDC

/// The administrators' REST API for OIDC clients, authenticated by a bearer token from
/// `varco admin-token add NAME`:
/// - `POST /api/admin/oidc-clients` registers a client (JSON with RFC 7591 member names), 201 with
///   `client_id` and, once, `client_secret`; 422 with `{"problems": [...]}`;
/// - `GET /api/admin/oidc-clients` lists them, `GET /api/admin/oidc-clients/{id}` shows one;
/// - `DELETE /api/admin/oidc-clients/{id}` removes one;
/// - `POST /api/admin/oidc-clients/{id}/secret` gives it a new secret (the old one stops working).
struct OIDCAdminRoutes {
    let varco: Varco

    struct NewClient: Decodable {
        let redirect_uris: [String]
        let client_name: String?
        let token_endpoint_auth_method: String?
        let post_logout_redirect_uris: [String]?
        let backchannel_logout_uri: String?
        let jwks: JWKSet?
        let frontchannel_logout_uri: String?
    }

    struct Issued: Encodable {
        let client_id: String
        let client_secret: String?
        let registration: ClientRegistration?
    }

    struct Problems: Encodable { let problems: [String] }

    func register(on router: Router<VarcoRequestContext>) {
        let base = "/api/admin/oidc-clients"
        router.post(RouterPath(base)) { request, context -> Response in
            guard let registry = try await registry(request, context) else { return unauthorized() }
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let new = try? JSONDecoder().decode(NewClient.self, from: Data(buffer: body)) else {
                return OperatorAPIRoutes.json(["error": "the body must be JSON with redirect_uris and, optionally, client_name, token_endpoint_auth_method, post_logout_redirect_uris, backchannel_logout_uri, frontchannel_logout_uri, jwks"], .badRequest)
            }
            guard let method = ClientRegistration.AuthMethod(rawValue: new.token_endpoint_auth_method ?? "client_secret_basic") else {
                return OperatorAPIRoutes.json(Problems(problems: ["token_endpoint_auth_method must be one of "
                    + ClientRegistration.AuthMethod.allCases.map(\.rawValue).joined(separator: ", ")]), .unprocessableContent)
            }
            do {
                let issued = try await registry.add(.init(redirectURIs: new.redirect_uris, isPublic: method == .none, name: new.client_name,
                                                          authMethod: method, postLogoutRedirectURIs: new.post_logout_redirect_uris ?? [],
                                                          backchannelLogoutURI: new.backchannel_logout_uri, jwks: new.jwks,
                                                          frontchannelLogoutURI: new.frontchannel_logout_uri))
                return OperatorAPIRoutes.json(Issued(client_id: issued.clientID, client_secret: issued.secret,
                                                     registration: try await registry.find(issued.clientID).map(Self.shown)), .created)
            } catch let failure as Administration.Failure {
                return OperatorAPIRoutes.json(Problems(problems: failure.description.components(separatedBy: "; ")), .unprocessableContent)
            }
        }
        router.get(RouterPath(base)) { request, context -> Response in
            guard let registry = try await registry(request, context) else { return unauthorized() }
            return OperatorAPIRoutes.json(try await registry.list().compactMap(\.registration).map(Self.shown), .ok)
        }
        router.get(RouterPath(base + "/:clientID")) { request, context -> Response in
            guard let registry = try await registry(request, context) else { return unauthorized() }
            guard let found = try await registry.find(try context.parameters.require("clientID")) else { return notFound() }
            return OperatorAPIRoutes.json(Self.shown(found), .ok)
        }
        router.delete(RouterPath(base + "/:clientID")) { request, context -> Response in
            guard let registry = try await registry(request, context) else { return unauthorized() }
            do { try await registry.remove(try context.parameters.require("clientID")) } catch is Administration.Failure { return notFound() }
            return Response(status: .noContent)
        }
        router.post(RouterPath(base + "/:clientID/secret")) { request, context -> Response in
            guard let registry = try await registry(request, context) else { return unauthorized() }
            let clientID = try context.parameters.require("clientID")
            guard try await registry.find(clientID) != nil else { return notFound() }
            do {
                let issued = try await registry.rotateSecret(clientID)
                return OperatorAPIRoutes.json(Issued(client_id: issued.clientID, client_secret: issued.secret, registration: nil), .ok)
            } catch let failure as Administration.Failure {
                return OperatorAPIRoutes.json(Problems(problems: [failure.description]), .unprocessableContent)
            }
        }
    }

    /// The registry acting for the administrator whose bearer token the request carries; nil without one.
    private func registry(_ request: Request, _ context: VarcoRequestContext) async throws -> OIDCClientRegistry? {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            await varco.auditor.record(.requestRejected, detail: "admin API: missing bearer token", client: context.clientAddress)
            return nil
        }
        let secret = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        let access = AccessAdmin(stores: varco.stores, clock: varco.clock, random: varco.random, actor: .commandLine)
        if let token = try await access.token(forSecret: secret), token.role == .admin {
            return OIDCClientRegistry(stores: varco.stores, clock: varco.clock, random: varco.random, actor: "token:\(token.name)")
        }
        guard let name = AdminTokens(dataDirectory: varco.configuration.dataDirectory).name(for: secret) else {
            await varco.auditor.record(.requestRejected, detail: "admin API: missing or unknown bearer token", client: context.clientAddress)
            return nil
        }
        return OIDCClientRegistry(stores: varco.stores, clock: varco.clock, random: varco.random, actor: "admin:\(name)")
    }

    /// A registration as the API shows it: never the secret's hash.
    static func shown(_ registration: ClientRegistration) -> ClientRegistration {
        var shown = registration
        shown.clientSecretSHA256 = nil
        return shown
    }

    private func unauthorized() -> Response {
        var response = OperatorAPIRoutes.json(["error": "missing or invalid admin token"], .unauthorized)
        response.headers[.wwwAuthenticate] = "Bearer"
        return response
    }

    private func notFound() -> Response { OperatorAPIRoutes.json(["error": "no such OIDC client"], .notFound) }
}
