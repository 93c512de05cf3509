import Foundation
import Hummingbird
import VarcoCore
import VarcoSAML

/// The administration REST API under `/admin/api/v1`, described by `/admin/api/openapi.json`.
/// Every call carries `Authorization: Bearer TOKEN` (an API token scoped to a role); reads need the admin or
/// auditor role, changes the admin role. Errors are RFC 9457 problem details.
struct AdminAPIRoutes {
    let varco: Varco
    static let base = "/admin/api/v1"

    enum Need { case read, change }

    struct Principal {
        let actor: AdminActor
        let role: AdminRole
    }

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/admin/api/openapi.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: varco.adminAPIDocument)))
        }
        registerSAML(on: router)
        registerOIDC(on: router)
        registerAccess(on: router)
    }

    // MARK: SAML services

    struct NewSAMLService: Decodable {
        /// The metadata document itself, or:
        let metadata: String?
        /// its URL, fetched now and refreshed on a schedule,
        let metadata_url: String?
        /// with the certificate its signature must verify with (PEM or base64), and the entityID to take from an aggregate.
        let pinned_certificate: String?
        let entity_id: String?
        let display_name: String?
    }

    struct SAMLServiceChange: Decodable {
        let display_name: String?
        let enabled: Bool?
        let settings: SettingsChange?
    }

    struct SettingsChange: Decodable {
        let sign_response: Bool?
        let sign_assertion: Bool?
        let require_signed_requests: Bool?
        let allow_legacy_sha1: Bool?
        /// Absent: unchanged; null is not distinguishable in Decodable, so an empty list means "what the metadata requests".
        let released_attributes: [String]?
        let minimum_level: String?
        let name_id_format: String?
        let always_force_authn: Bool?
        let encrypt_assertion: Bool?
    }

    private func registerSAML(on router: Router<VarcoRequestContext>) {
        let path = Self.base + "/saml-services"
        router.get(RouterPath(path)) { request, context in
            try await handle(request, context, .read) { _, _ in
                AdminJSON.response(try await varco.stores.relyingParties.list().filter { $0.kind == .samlServiceProvider }.map(SAMLServiceView.init))
            }
        }
        router.post(RouterPath(path)) { request, context in
            try await handle(request, context, .change) { principal, admin in
                let new: NewSAMLService
                if let type = request.headers[.contentType], type.contains("xml") {
                    let body = try await Self.collect(request, limit: 1024 * 1024)
                    new = NewSAMLService(metadata: body, metadata_url: nil, pinned_certificate: nil, entity_id: nil,
                                         display_name: request.uri.queryParameters["display_name"].map(String.init))
                } else {
                    new = try await AdminJSON.decode(NewSAMLService.self, from: request, limit: 1024 * 1024)
                }
                let party: RelyingParty
                if let url = new.metadata_url, new.metadata == nil {
                    party = try await admin.registerSAML(metadataURL: url, pinnedCertificate: new.pinned_certificate, entityID: new.entity_id,
                                                         displayName: new.display_name, fetcher: varco.metadataFetcher)
                } else if let metadata = new.metadata, new.metadata_url == nil {
                    party = try await admin.registerSAML(metadataXML: metadata, displayName: new.display_name)
                } else {
                    throw AdminFailure(.invalid, code: "metadata-missing", "Give either metadata (the document) or metadata_url, not both.")
                }
                return AdminJSON.response(SAMLServiceView(party), .created, etag: party.version,
                                          location: "\(path)/\(SAMLServiceView.key(party.id))")
            }
        }
        router.get(RouterPath(path + "/:key")) { request, context in
            try await handle(request, context, .read) { _, admin in
                let party = try await admin.find(try samlID(context))
                guard party.kind == .samlServiceProvider else { throw notSAML() }
                return AdminJSON.response(SAMLServiceView(party), etag: party.version)
            }
        }
        router.patch(RouterPath(path + "/:key")) { request, context in
            try await handle(request, context, .change) { _, admin in
                let id = try samlID(context)
                let change = try await AdminJSON.decode(SAMLServiceChange.self, from: request)
                let expected = try Self.ifMatch(request)
                guard try await admin.find(id).kind == .samlServiceProvider else { throw notSAML() }
                let settings = try change.settings.map { try Self.levelAndAttributes($0) }
                let nameID = try change.settings?.name_id_format.map { name in
                    guard let choice = RelyingPartySettings.NameIDChoice(rawValue: name) else {
                        throw AdminFailure(.invalid, code: "name-id-format", "name_id_format must be transient or persistent.")
                    }
                    return choice
                }
                let party = try await admin.change(id: id, expectedVersion: expected, detail: "settings changed") { party in
                    if let name = change.display_name { party.displayName = name }
                    if let enabled = change.enabled { party.enabled = enabled }
                    if let new = change.settings, let parsed = settings {
                        if let value = new.sign_response { party.settings.signResponse = value }
                        if let value = new.sign_assertion { party.settings.signAssertion = value }
                        if let value = new.require_signed_requests { party.settings.requireSignedRequests = value }
                        if let value = new.allow_legacy_sha1 { party.settings.allowLegacySHA1 = value }
                        if let attributes = parsed.1 { party.settings.releasedAttributes = attributes.isEmpty ? nil : attributes }
                        if let level = parsed.0 { party.settings.minimumLevel = level }
                        if let nameID { party.settings.defaultNameIDFormat = nameID }
                        if let value = new.always_force_authn { party.settings.alwaysForceAuthn = value }
                        if let value = new.encrypt_assertion { party.settings.encryptAssertion = value }
                    }
                }
                return AdminJSON.response(SAMLServiceView(party), etag: party.version)
            }
        }
        router.put(RouterPath(path + "/:key/metadata")) { request, context in
            try await handle(request, context, .change) { _, admin in
                let id = try samlID(context)
                let xml = try await Self.collect(request, limit: 1024 * 1024)
                let party = try await admin.replaceMetadata(id: id, metadataXML: xml, expectedVersion: try Self.ifMatch(request))
                return AdminJSON.response(SAMLServiceView(party), etag: party.version)
            }
        }
        router.post(RouterPath(path + "/:key/refresh")) { request, context in
            try await handle(request, context, .change) { _, admin in
                let party = try await admin.refresh(id: try samlID(context), fetcher: varco.metadataFetcher)
                return AdminJSON.response(SAMLServiceView(party), etag: party.version)
            }
        }
        router.delete(RouterPath(path + "/:key")) { request, context in
            try await handle(request, context, .change) { _, admin in
                let id = try samlID(context)
                guard try await admin.find(id).kind == .samlServiceProvider else { throw notSAML() }
                try await admin.remove(id: id, expectedVersion: try Self.ifMatch(request))
                return Response(status: .noContent)
            }
        }
    }

    /// The minimum level (wrapped: nil means "no change", .some(nil) "no minimum") and attributes, checked.
    static func levelAndAttributes(_ change: SettingsChange) throws -> ((LevelOfAssurance?)?, [IdentityAttribute]?) {
        var level: (LevelOfAssurance?)? = nil
        if let name = change.minimum_level {
            if name.isEmpty || name == "none" { level = .some(nil) } else {
                guard let parsed = LevelNames.level(name) else {
                    throw AdminFailure(.invalid, code: "minimum-level", "minimum_level must be SpidL1, SpidL2, SpidL3 or none.")
                }
                level = .some(parsed)
            }
        }
        let attributes = try change.released_attributes.map { names in
            try names.map { name in
                guard let attribute = IdentityAttribute(rawValue: name) else {
                    throw AdminFailure(.invalid, code: "attribute", "\(name) is not an attribute Varco releases: use "
                                       + IdentityAttribute.allCases.map(\.rawValue).joined(separator: ", ") + ".")
                }
                return attribute
            }
        }
        return (level, attributes)
    }

    // MARK: Plumbing

    /// Authenticates, checks the role, runs `body` and turns refusals into problem details.
    func handle(_ request: Request, _ context: VarcoRequestContext, _ need: Need,
                _ body: (Principal, RelyingPartyAdmin) async throws -> Response) async throws -> Response {
        do {
            let principal = try await authenticate(request, context)
            switch need {
            case .read where !principal.role.canRead, .change where !principal.role.canChange:
                await varco.auditor.record(.adminRefused, subject: principal.actor.name,
                                           detail: "\(request.method.rawValue) \(request.uri.path): role \(principal.role.rawValue) may not do this",
                                           client: context.clientAddress)
                return ProblemDetails.response(.forbidden, code: "forbidden",
                                               "A token of the \(principal.role.rawValue) role cannot do this: use a token of the admin role.")
            default: break
            }
            let admin = RelyingPartyAdmin(stores: varco.stores, clock: varco.clock, random: varco.random, actor: principal.actor,
                                          demo: varco.configuration.demo)
            return try await body(principal, admin)
        } catch let failure as AdminFailure {
            return ProblemDetails.response(failure, ifMatchGiven: request.headers[.ifMatch] != nil)
        } catch let error as APIError {
            return error.response
        }
    }

    private func authenticate(_ request: Request, _ context: VarcoRequestContext) async throws -> Principal {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(ProblemDetails.response(.unauthorized, code: "unauthenticated",
                                                   "Send an API token as Authorization: Bearer TOKEN (create one in the console or with varco admin-token add)."))
        }
        let secret = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        let access = AccessAdmin(stores: varco.stores, clock: varco.clock, random: varco.random, actor: .commandLine)
        if let token = try await access.token(forSecret: secret) {
            return Principal(actor: AdminActor(name: "token:\(token.name)", client: context.clientAddress), role: token.role)
        }
        await varco.auditor.record(.requestRejected, detail: "admin API: unknown, expired or revoked token", client: context.clientAddress)
        throw APIError(ProblemDetails.response(.unauthorized, code: "invalid-token",
                                               "The token is unknown, expired or revoked: ask an administrator for a new one."))
    }

    private func samlID(_ context: VarcoRequestContext) throws -> String {
        guard let id = SAMLServiceView.id(fromKey: try context.parameters.require("key")) else {
            throw AdminFailure(.notFound, code: "not-found", "No SAML service has this key: the list at \(Self.base)/saml-services shows the keys.")
        }
        return id
    }

    private func notSAML() -> AdminFailure {
        AdminFailure(.notFound, code: "not-found", "No SAML service has this key: the list at \(Self.base)/saml-services shows the keys.")
    }

    /// The version in `If-Match: "vN"`, if given; a malformed one is a 412 (it cannot match).
    static func ifMatch(_ request: Request) throws -> Int? {
        guard let value = request.headers[.ifMatch] else { return nil }
        let trimmed = value.trimmingCharacters(in: CharacterSet(charactersIn: "\" W/"))
        guard trimmed.hasPrefix("v"), let version = Int(trimmed.dropFirst()) else {
            throw APIError(ProblemDetails.response(.preconditionFailed, code: "changed-meanwhile",
                                                   "If-Match must be the ETag of the last read (\"vN\"): read the resource again."))
        }
        return version
    }

    static func collect(_ request: Request, limit: Int) async throws -> String {
        do { return String(buffer: try await request.body.collect(upTo: limit)) } catch {
            throw APIError(ProblemDetails.response(.contentTooLarge, code: "body-too-large", "The body is larger than \(limit / 1024) KB."))
        }
    }
}
