import VarcoCore

/// A claim about the citizen that UserInfo can carry: its name, the scope that asks for it (OIDC Core §5.4) and
/// the identity attributes it is made of. A client's policy is its `releasedAttributes`, the notion SAML services
/// use too, so one registry of attributes decides what every kind of service receives.
public enum UserClaim: String, CaseIterable, Sendable {
    /// `TINIT-<CF>`, named as in the SPID/CIE OpenID Connect profile.
    case fiscalNumber = "https://attributes.eid.gov.it/fiscal_number"
    case givenName = "given_name"
    case familyName = "family_name"
    case birthdate
    /// `female` or `male` (OIDC Core §5.1), from the SPID `F` or `M`.
    case gender
    /// `{locality: <Belfiore code>, region: <province>}`, as in the SPID/CIE OpenID Connect profile.
    case placeOfBirth = "place_of_birth"
    case email
    case phoneNumber = "phone_number"

    /// The scope that releases this claim.
    public var scope: String {
        switch self {
        case .fiscalNumber, .givenName, .familyName, .birthdate, .gender, .placeOfBirth: "profile"
        case .email: "email"
        case .phoneNumber: "phone"
        }
    }

    /// The attributes this claim carries; the claim is released when the policy allows any of them, with only
    /// the allowed parts.
    public var attributes: [IdentityAttribute] {
        switch self {
        case .fiscalNumber: [.fiscalNumber]
        case .givenName: [.name]
        case .familyName: [.familyName]
        case .birthdate: [.dateOfBirth]
        case .gender: [.gender]
        case .placeOfBirth: [.placeOfBirth, .countyOfBirth]
        case .email: [.email]
        case .phoneNumber: [.mobilePhone]
        }
    }

    /// The claims a policy allows (`nil`: no limit) whatever the scopes.
    public static func allowed(by releasedAttributes: [IdentityAttribute]?) -> [UserClaim] {
        guard let releasedAttributes else { return allCases }
        return allCases.filter { !Set($0.attributes).isDisjoint(with: releasedAttributes) }
    }

    /// The policy that allows exactly `claims`.
    public static func releasedAttributes(for claims: [UserClaim]) -> [IdentityAttribute] {
        let attributes = Set(claims.flatMap(\.attributes))
        return IdentityAttribute.allCases.filter(attributes.contains)
    }

    /// The claims named (in the order of `allCases`) and the names that are no claim of Varco's.
    public static func named(_ names: [String]) -> (claims: [UserClaim], unknown: [String]) {
        let known = Set(names.compactMap(UserClaim.init(rawValue:)))
        return (allCases.filter(known.contains), names.filter { UserClaim(rawValue: $0) == nil })
    }

    /// The claim names, for messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
