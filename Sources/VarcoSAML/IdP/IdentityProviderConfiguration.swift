import Foundation

/// Varco's settings as a SAML identity provider.
public struct IdentityProviderConfiguration: Sendable {
    public var entityID: String
    public var ssoURL: String
    public var sloURL: String?
    /// Tolerated clock difference with service providers.
    public var clockSkew: TimeInterval
    /// How old an AuthnRequest may be.
    public var requestLifetime: TimeInterval
    /// How long an assertion may be used.
    public var assertionLifetime: TimeInterval
    /// Require signed AuthnRequests from every service.
    public var requireSignedRequests: Bool
    /// Secret for pairwise persistent NameIDs: changing it changes every persistent NameID.
    public var pairwiseSecret: [UInt8]

    public init(entityID: String, ssoURL: String, sloURL: String? = nil, clockSkew: TimeInterval = 180,
                requestLifetime: TimeInterval = 300, assertionLifetime: TimeInterval = 300,
                requireSignedRequests: Bool = false, pairwiseSecret: [UInt8]) {
        self.entityID = entityID
        self.ssoURL = ssoURL
        self.sloURL = sloURL
        self.clockSkew = clockSkew
        self.requestLifetime = requestLifetime
        self.assertionLifetime = assertionLifetime
        self.requireSignedRequests = requireSignedRequests
        self.pairwiseSecret = pairwiseSecret
    }
}
