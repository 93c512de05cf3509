import VarcoCore

/// Maps RequestedAuthnContext (SAML core §3.3.2.2.1) onto the levels Varco can prove.
public enum AuthnContextMapping {
    /// The level each known class reference stands for.
    public static func level(of classRef: String) -> LevelOfAssurance? {
        if let spid = LevelOfAssurance(uri: classRef) { return spid }
        let prefix = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
        guard classRef.hasPrefix(prefix) else {
            switch classRef {
            case "http://eidas.europa.eu/LoA/low": return .spidL1
            case "http://eidas.europa.eu/LoA/substantial": return .spidL2
            case "http://eidas.europa.eu/LoA/high": return .spidL3
            default: return nil
            }
        }
        switch classRef.dropFirst(prefix.count) {
        case "unspecified", "Password", "PasswordProtectedTransport", "PreviousSession": return .spidL1
        case "TimeSyncToken", "MobileTwoFactorUnregistered", "MobileTwoFactorContract", "SecureRemotePassword": return .spidL2
        case "X509", "Smartcard", "SmartcardPKI", "SoftwarePKI", "TLSClient", "MobileOneFactorContract": return .spidL3
        default: return nil
        }
    }

    /// The acceptable levels, or nil if no class reference is known (the answer is NoAuthnContext).
    public static func acceptableLevels(_ requested: AuthnRequest.RequestedAuthnContext?) -> Set<LevelOfAssurance>? {
        guard let requested else { return Set(LevelOfAssurance.allCases) }
        let levels = requested.classRefs.compactMap(level(of:))
        guard let lowest = levels.min(), let highest = levels.max() else { return nil }
        let all = LevelOfAssurance.allCases
        let accepted: [LevelOfAssurance]
        switch requested.comparison {
        case .exact: accepted = levels
        case .minimum: accepted = all.filter { $0 >= lowest }
        case .better: accepted = all.filter { $0 > lowest }
        case .maximum: accepted = all.filter { $0 <= highest }
        }
        return accepted.isEmpty ? nil : Set(accepted)
    }
}
