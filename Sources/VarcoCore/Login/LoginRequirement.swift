/// What a relying party asks of a login, independent of the protocol that carried it.
public struct LoginRequirement: Codable, Sendable, Equatable {
    /// The levels the relying party accepts (from SAML RequestedAuthnContext or OIDC acr_values).
    public var acceptableLevels: Set<LevelOfAssurance>
    /// The citizen must prove themselves again even with a live SSO session (SAML ForceAuthn, OIDC prompt=login).
    public var forceAuthn: Bool
    /// Nothing may be shown to the citizen (SAML IsPassive, OIDC prompt=none).
    public var isPassive: Bool

    public init(acceptableLevels: Set<LevelOfAssurance> = Set(LevelOfAssurance.allCases),
                forceAuthn: Bool = false, isPassive: Bool = false) {
        self.acceptableLevels = acceptableLevels
        self.forceAuthn = forceAuthn
        self.isPassive = isPassive
    }

    public func accepts(_ level: LevelOfAssurance) -> Bool { acceptableLevels.contains(level) }

    /// The level to state in the answer when the citizen proved `proved`: the proved level itself if
    /// acceptable, otherwise the highest acceptable level below it (a stronger proof satisfies a
    /// "maximum" or "exact" request for a lower level).
    public func levelToAssert(for proved: LevelOfAssurance) -> LevelOfAssurance? {
        if accepts(proved) { return proved }
        return acceptableLevels.filter { $0 < proved }.max()
    }
}
