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

    public init(id: String, kind: Kind, displayName: String, metadata: String,
                settings: RelyingPartySettings = .init(), enabled: Bool = true, created: Date) {
        self.id = id
        self.kind = kind
        self.displayName = displayName
        self.metadata = metadata
        self.settings = settings
        self.enabled = enabled
        self.created = created
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

    public init(signResponse: Bool = true, signAssertion: Bool = true, allowLegacySHA1: Bool = false,
                requireSignedRequests: Bool = false, releasedAttributes: [IdentityAttribute]? = nil,
                minimumLevel: LevelOfAssurance? = nil) {
        self.signResponse = signResponse
        self.signAssertion = signAssertion
        self.allowLegacySHA1 = allowLegacySHA1
        self.requireSignedRequests = requireSignedRequests
        self.releasedAttributes = releasedAttributes
        self.minimumLevel = minimumLevel
    }
}
