import VarcoCore

/// The two kinds of citizen card Varco accepts, each with its own trusted issuers and rules.
public enum CardFamily: String, Sendable, Codable, CaseIterable {
    /// Carta Nazionale dei Servizi: TS-CNS health cards, regional CRS, other CNS.
    case cns
    /// Carta d'Identità Elettronica.
    case cie

    /// Label for logs and audit entries.
    public var label: String {
        switch self {
        case .cns: "CNS"
        case .cie: "CIE"
        }
    }
}

/// What is configurable per card family.
public struct CardFamilyPolicy: Sendable, Equatable {
    /// Certificate policy OIDs of which the leaf must assert at least one.
    public var policyOIDs: [String]
    /// The level a login with this family proves.
    public var level: LevelOfAssurance
    /// What to do when revocation status cannot be obtained.
    public var revocationFailure: RevocationFailureMode

    public init(policyOIDs: [String], level: LevelOfAssurance, revocationFailure: RevocationFailureMode = .hard) {
        self.policyOIDs = policyOIDs
        self.level = level
        self.revocationFailure = revocationFailure
    }

    /// AgID CNS authentication (1.3.76.16.2.1) plus the Lombardia CRS/SISS equivalents.
    public static let cnsDefault = CardFamilyPolicy(
        policyOIDs: ["1.3.76.16.2.1", "1.3.159.6.1.3.2.10", "1.3.76.12.1.1.10.2.2.10"], level: .spidL2)
    /// CIE authentication certificate (1.3.76.47.4).
    public static let cieDefault = CardFamilyPolicy(policyOIDs: ["1.3.76.47.4"], level: .spidL3)
}

/// Soft-fail accepts a card whose revocation status cannot be obtained (and logs it); hard-fail refuses it.
public enum RevocationFailureMode: String, Sendable, Equatable {
    case soft, hard
}
