import Foundation

/// The national identity provider login a session came from (SPID or CIE), as single logout needs it
/// to end the upstream session too: who answered, and the subject and session it named.
public struct UpstreamLogin: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case spid, cie
    }

    public var kind: Kind
    /// The upstream identity provider's entityID.
    public var identityProvider: String
    /// The NameID the provider issued, with its Format and NameQualifier (to repeat in the LogoutRequest).
    public var nameID: String
    public var nameIDFormat: String
    public var nameQualifier: String?
    /// The SessionIndex of the AuthnStatement, if the provider sent one.
    public var sessionIndex: String?

    public init(kind: Kind, identityProvider: String, nameID: String, nameIDFormat: String,
                nameQualifier: String?, sessionIndex: String?) {
        self.kind = kind
        self.identityProvider = identityProvider
        self.nameID = nameID
        self.nameIDFormat = nameIDFormat
        self.nameQualifier = nameQualifier
        self.sessionIndex = sessionIndex
    }
}
