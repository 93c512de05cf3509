import Foundation
import VarcoCore
import VarcoOIDC
import VarcoSAML

/// A SAML service as the API shows it.
struct SAMLServiceView: Codable, Sendable {
    /// The entityID in base64url: the service's id in API paths.
    let key: String
    let entity_id: String
    let display_name: String
    let enabled: Bool
    let version: Int
    let created: Date
    let assertion_consumer_services: [String]
    let authn_requests_signed: Bool
    let settings: SettingsView
    let metadata_url: String?
    let metadata_last_error: String?
    let metadata_last_fetched: Date?
    let metadata_next_refresh: Date?
    let metadata_valid_until: Date?

    struct SettingsView: Codable, Sendable {
        var sign_response: Bool
        var sign_assertion: Bool
        var require_signed_requests: Bool
        var allow_legacy_sha1: Bool
        /// Attribute names (spidCode, name, familyName, fiscalNumber, ...); null: what the metadata requests.
        var released_attributes: [String]?
        /// SpidL1, SpidL2 or SpidL3; null: whatever the request asks.
        var minimum_level: String?
        /// transient or persistent (pairwise): the NameID format when a request names none.
        var name_id_format: String
        /// Every request is treated as ForceAuthn.
        var always_force_authn: Bool
        /// The assertion goes as an EncryptedAssertion to the metadata's encryption certificate.
        var encrypt_assertion: Bool
    }

    init(_ party: RelyingParty) {
        key = Self.key(party.id)
        entity_id = party.id
        display_name = party.displayName
        enabled = party.enabled
        version = party.version
        created = party.created
        let metadata = try? ServiceProviderMetadata(xml: party.metadata)
        assertion_consumer_services = metadata?.assertionConsumerServices.map(\.location) ?? []
        authn_requests_signed = metadata?.authnRequestsSigned ?? false
        settings = SettingsView(party.settings)
        metadata_url = party.source?.url
        metadata_last_error = party.source?.lastError
        metadata_last_fetched = party.source?.lastFetched
        metadata_next_refresh = party.source?.nextRefresh
        metadata_valid_until = party.source?.validUntil
    }

    static func key(_ id: String) -> String { Base64URL.encode(Array(id.utf8)) }

    static func id(fromKey key: String) -> String? {
        guard key.utf8.count <= 2048,
              key.utf8.allSatisfy({ $0 == 45 || $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }) else {
            return nil
        }
        var base64 = key.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).flatMap { String(data: $0, encoding: .utf8) }
    }
}

extension SAMLServiceView.SettingsView {
    init(_ settings: RelyingPartySettings) {
        sign_response = settings.signResponse
        sign_assertion = settings.signAssertion
        require_signed_requests = settings.requireSignedRequests
        allow_legacy_sha1 = settings.allowLegacySHA1
        released_attributes = settings.releasedAttributes?.map(\.rawValue)
        minimum_level = settings.minimumLevel.map(LevelNames.name)
        name_id_format = settings.defaultNameIDFormat.rawValue
        always_force_authn = settings.alwaysForceAuthn
        encrypt_assertion = settings.encryptAssertion
    }
}

/// SpidL1..3 by name.
enum LevelNames {
    static func name(_ level: LevelOfAssurance) -> String {
        switch level { case .spidL1: "SpidL1"; case .spidL2: "SpidL2"; case .spidL3: "SpidL3" }
    }

    static func level(_ name: String) -> LevelOfAssurance? {
        LevelOfAssurance.allCases.first { Self.name($0) == name }
    }
}

/// An OIDC client as the API shows it: never a secret or its hash.
struct OIDCClientView: Codable, Sendable {
    let client_id: String
    let client_name: String?
    let enabled: Bool
    let version: Int
    let created: Date
    let redirect_uris: [String]
    let post_logout_redirect_uris: [String]
    let backchannel_logout_uri: String?
    let token_endpoint_auth_method: String
    let has_secret: Bool
    /// The claims the client may receive (given_name, https://attributes.eid.gov.it/fiscal_number, ...); null: every
    /// claim its scopes allow.
    let released_claims: [String]?

    init?(_ party: RelyingParty) {
        guard party.kind == .oidcClient,
              let registration = try? JSONDecoder().decode(ClientRegistration.self, from: Data(party.metadata.utf8)) else { return nil }
        client_id = party.id
        client_name = registration.clientName
        enabled = party.enabled
        version = party.version
        created = party.created
        redirect_uris = registration.redirectURIs
        post_logout_redirect_uris = registration.postLogoutRedirectURIs ?? []
        backchannel_logout_uri = registration.backchannelLogoutURI
        token_endpoint_auth_method = registration.tokenEndpointAuthMethod.rawValue
        has_secret = registration.clientSecretSHA256 != nil
        released_claims = party.settings.releasedAttributes.map { UserClaim.allowed(by: $0).map(\.rawValue) }
    }
}

struct AuditEventView: Codable, Sendable {
    let time: Date
    let event: String
    let subject: String?
    let service: String?
    let detail: String
    let client_address: String?
    let actor: String?
    let before: String?
    let after: String?

    init(_ event: AuditEvent) {
        time = event.time
        self.event = event.kind.rawValue
        subject = event.subject
        service = event.relyingParty
        detail = event.detail
        client_address = event.clientAddress
        actor = event.actor
        before = event.before
        after = event.after
    }

    static let csvHeader = "time,event,subject,service,detail,client_address,actor,before,after"

    var csvLine: String {
        [ISO8601DateFormatter().string(from: time), event, subject ?? "", service ?? "", detail, client_address ?? "", actor ?? "",
         before ?? "", after ?? ""].map(Self.csvField).joined(separator: ",")
    }

    /// RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula.
    static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { ",\"\n\r".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

struct RoleGrantView: Codable, Sendable {
    let codice_fiscale: String
    let role: String
    let granted_by: String
    let granted: Date

    init(_ grant: RoleGrant) {
        codice_fiscale = grant.codiceFiscale.value
        role = grant.role.rawValue
        granted_by = grant.grantedBy
        granted = grant.granted
    }
}

struct APITokenView: Codable, Sendable {
    let id: String
    let name: String
    let role: String
    let created: Date
    let expires: Date
    let revoked: Date?
    let created_by: String
    /// Only in the answer that creates the token: shown once, never stored.
    let token: String?

    init(_ token: APIToken, secret: String? = nil) {
        id = token.id
        name = token.name
        role = token.role.rawValue
        created = token.created
        expires = token.expires
        revoked = token.revoked
        created_by = token.createdBy
        self.token = secret
    }
}

struct SigningKeyView: Codable, Sendable {
    /// saml or oidc.
    let use: String
    /// Key id (OIDC) or SHA-256 fingerprint of the certificate (SAML).
    let id: String
    let algorithm: String
    /// active (signs), next (published before it signs) or previous (published after it signed).
    let state: String
    /// When the key entered this state.
    var since: Date? = nil
    /// When the SAML certificate expires (nil for OIDC keys).
    var not_after: Date? = nil

    /// One line for `varco keys list` and the audit log.
    var line: String { "\(use)\t\(state)\t\(id) (\(algorithm))" }
}

/// What a rollover step did, and the keys in use and published after it.
struct KeyRolloverView: Codable, Sendable {
    let detail: String
    let keys: [SigningKeyView]
}
