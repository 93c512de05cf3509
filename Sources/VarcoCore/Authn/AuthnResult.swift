import Foundation

/// What an authenticator proved: who, at which level, how, and when.
public struct AuthnResult: Codable, Sendable, Equatable {
    public var citizen: CodiceFiscale
    public var level: LevelOfAssurance
    public var method: AuthenticationMethod
    public var instant: Date
    /// Set when a national identity provider (SPID, CIE) proved the citizen: what upstream logout needs.
    public var upstream: UpstreamLogin?

    public init(citizen: CodiceFiscale, level: LevelOfAssurance, method: AuthenticationMethod, instant: Date,
                upstream: UpstreamLogin? = nil) {
        self.citizen = citizen
        self.level = level
        self.method = method
        self.instant = instant
        self.upstream = upstream
    }
}

/// Named outcomes of a failed proof. The login page shows each in the citizen's language;
/// none of them says which of several secrets was wrong.
public enum AuthnFailure: Error, Equatable, Sendable {
    /// Something required was not filled in.
    case missingInput
    /// The ID, password or code did not match (deliberately not saying which).
    case invalidCredentials
    /// Too many failures: the credential is locked until the given time.
    case locked(until: Date)
    /// The credential exists but may not be used (disabled, expired, refused by policy).
    case disabled
}
