import Foundation

/// A registered service: a SAML service provider or an OIDC client.
public struct RelyingParty: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case samlServiceProvider = "saml", oidcClient = "oidc" }

    /// SAML entityID or OIDC client_id.
    public let id: String
    public var kind: Kind
    public var displayName: String
    /// The raw SAML metadata (EntityDescriptor) or OIDC client registration document.
    public var metadata: String
    public var settings: RelyingPartySettings
    public var enabled: Bool
    public var created: Date
    /// Grows by one at every change made through the administration; the ETag of the API.
    public var version: Int
    /// Where the metadata comes from when it is fetched by URL (nil: uploaded or pasted).
    public var source: RemoteMetadata?

    public init(id: String, kind: Kind, displayName: String, metadata: String,
                settings: RelyingPartySettings = .init(), enabled: Bool = true, created: Date, version: Int = 1,
                source: RemoteMetadata? = nil) {
        self.id = id
        self.kind = kind
        self.displayName = displayName
        self.metadata = metadata
        self.settings = settings
        self.enabled = enabled
        self.created = created
        self.version = version
        self.source = source
    }

    private enum CodingKeys: String, CodingKey { case id, kind, displayName, metadata, settings, enabled, created, version, source }

    /// Registrations written before `version` existed read as version 1.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        kind = try c.decode(Kind.self, forKey: .kind)
        displayName = try c.decode(String.self, forKey: .displayName)
        metadata = try c.decode(String.self, forKey: .metadata)
        settings = try c.decode(RelyingPartySettings.self, forKey: .settings)
        enabled = try c.decode(Bool.self, forKey: .enabled)
        created = try c.decode(Date.self, forKey: .created)
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        source = try c.decodeIfPresent(RemoteMetadata.self, forKey: .source)
    }
}

/// Metadata fetched from a URL: where, what it must be signed with, and how the last refresh went.
public struct RemoteMetadata: Codable, Sendable, Equatable {
    public var url: String
    /// The certificate (base64 DER) the document must be signed with; nil: no signature check.
    public var pinnedCertificate: String?
    /// For an aggregate: the entityID taken from it.
    public var entityID: String?
    public var lastFetched: Date?
    /// When the next refresh is due (from cacheDuration, capped by validUntil and the schedule).
    public var nextRefresh: Date?
    /// The validUntil of the document in use.
    public var validUntil: Date?
    /// Why the last refresh failed (the last good copy keeps serving); nil after a success.
    public var lastError: String?

    public init(url: String, pinnedCertificate: String? = nil, entityID: String? = nil) {
        self.url = url
        self.pinnedCertificate = pinnedCertificate
        self.entityID = entityID
    }
}

/// Per-service policy. Defaults are the safe ones.
public struct RelyingPartySettings: Codable, Sendable, Equatable {
    public var signResponse: Bool
    public var signAssertion: Bool
    /// Accept SHA-1 signatures from this service (old software only).
    public var allowLegacySHA1: Bool
    /// Require signed requests even if the metadata does not say AuthnRequestsSigned.
    public var requireSignedRequests: Bool
    /// Attributes this service may receive; nil means what its metadata requests, within the default set.
    public var releasedAttributes: [IdentityAttribute]?
    /// The lowest level this service accepts, whatever it asks.
    public var minimumLevel: LevelOfAssurance?
    /// The SAML NameID format used when a request does not name one (a request may still ask for the other).
    public var defaultNameIDFormat: NameIDChoice
    /// Ask the citizen to prove themselves at every request, as if each carried ForceAuthn.
    public var alwaysForceAuthn: Bool
    /// Send the assertion as an EncryptedAssertion to the encryption key in the service's metadata (SAML core §6);
    /// without such a key no assertion is sent at all.
    public var encryptAssertion: Bool

    public enum NameIDChoice: String, Codable, Sendable, CaseIterable {
        case transient
        /// Persistent and pairwise: the same citizen has a different NameID at each service.
        case persistent
    }

    public init(signResponse: Bool = true, signAssertion: Bool = true, allowLegacySHA1: Bool = false,
                requireSignedRequests: Bool = false, releasedAttributes: [IdentityAttribute]? = nil,
                minimumLevel: LevelOfAssurance? = nil, defaultNameIDFormat: NameIDChoice = .transient, alwaysForceAuthn: Bool = false,
                encryptAssertion: Bool = false) {
        self.signResponse = signResponse
        self.signAssertion = signAssertion
        self.allowLegacySHA1 = allowLegacySHA1
        self.requireSignedRequests = requireSignedRequests
        self.releasedAttributes = releasedAttributes
        self.minimumLevel = minimumLevel
        self.defaultNameIDFormat = defaultNameIDFormat
        self.alwaysForceAuthn = alwaysForceAuthn
        self.encryptAssertion = encryptAssertion
    }

    private enum CodingKeys: String, CodingKey {
        case signResponse, signAssertion, allowLegacySHA1, requireSignedRequests, releasedAttributes, minimumLevel
        case defaultNameIDFormat, alwaysForceAuthn, encryptAssertion
    }

    /// Settings written before the NameID, ForceAuthn and encryption settings existed read with their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        signResponse = try c.decode(Bool.self, forKey: .signResponse)
        signAssertion = try c.decode(Bool.self, forKey: .signAssertion)
        allowLegacySHA1 = try c.decode(Bool.self, forKey: .allowLegacySHA1)
        requireSignedRequests = try c.decode(Bool.self, forKey: .requireSignedRequests)
        releasedAttributes = try c.decodeIfPresent([IdentityAttribute].self, forKey: .releasedAttributes)
        minimumLevel = try c.decodeIfPresent(LevelOfAssurance.self, forKey: .minimumLevel)
        defaultNameIDFormat = try c.decodeIfPresent(NameIDChoice.self, forKey: .defaultNameIDFormat) ?? .transient
        alwaysForceAuthn = try c.decodeIfPresent(Bool.self, forKey: .alwaysForceAuthn) ?? false
        encryptAssertion = try c.decodeIfPresent(Bool.self, forKey: .encryptAssertion) ?? false
    }
}
