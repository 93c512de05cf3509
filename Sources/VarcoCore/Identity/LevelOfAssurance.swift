/// The SPID levels of assurance (ISO/IEC 29115 LoA2-4, eIDAS low/substantial/high).
public enum LevelOfAssurance: Int, Sendable, Codable, Comparable, CaseIterable {
    case spidL1 = 1
    case spidL2 = 2
    case spidL3 = 3

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The SAML AuthnContextClassRef / OIDC acr value.
    public var uri: String { "https://www.spid.gov.it/SpidL\(rawValue)" }

    public init?(uri: String) {
        guard let level = Self.allCases.first(where: { $0.uri == uri }) else { return nil }
        self = level
    }
}
