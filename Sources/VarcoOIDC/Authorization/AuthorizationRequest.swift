import Foundation
import VarcoCore

/// A checked authentication request (OIDC Core §3.1.2.1): what the login must satisfy and what the
/// answer must carry. Stored in the login transaction as its protocol state.
public struct AuthorizationRequest: Codable, Sendable, Equatable {
    public var clientID: String
    public var redirectURI: String
    public var scopes: [String]
    public var state: String?
    public var nonce: String?
    /// PKCE S256 challenge (RFC 7636).
    public var codeChallenge: String?
    public var prompt: Set<String>
    public var maxAge: Int?
    /// The levels named in acr_values, if any.
    public var acrLevels: [LevelOfAssurance]?
    /// The client's lowest acceptable level, from its settings.
    public var minimumLevel: LevelOfAssurance?

    public init(clientID: String, redirectURI: String, scopes: [String] = ["openid"], state: String? = nil, nonce: String? = nil,
                codeChallenge: String? = nil, prompt: Set<String> = [], maxAge: Int? = nil, acrLevels: [LevelOfAssurance]? = nil,
                minimumLevel: LevelOfAssurance? = nil) {
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.state = state
        self.nonce = nonce
        self.codeChallenge = codeChallenge
        self.prompt = prompt
        self.maxAge = maxAge
        self.acrLevels = acrLevels
        self.minimumLevel = minimumLevel
    }

    /// What the login must achieve, given the citizen's current SSO session (for max_age).
    /// acr_values name acceptable levels; a stronger proof satisfies them, so every level from the
    /// lowest one named upwards is acceptable.
    public func requirement(sessionAuthTime: Date?, now: Date) -> LoginRequirement {
        let floor = max(acrLevels?.min() ?? .spidL1, minimumLevel ?? .spidL1)
        let tooOld = maxAge.map { age in sessionAuthTime.map { now.timeIntervalSince($0) > TimeInterval(age) } ?? false } ?? false
        return LoginRequirement(acceptableLevels: Set(LevelOfAssurance.allCases.filter { $0 >= floor }),
                                forceAuthn: prompt.contains("login") || maxAge == 0 || tooOld,
                                isPassive: prompt.contains("none"))
    }

    public func encoded() -> Data { JSONText.data(self) }

    public static func decode(_ data: Data) -> Self? { try? JSONDecoder().decode(Self.self, from: data) }
}
