/// The identity attributes Varco can release, named as in the SPID technical rules.
public enum IdentityAttribute: String, Sendable, Codable, CaseIterable {
    case fiscalNumber, name, familyName, dateOfBirth, placeOfBirth, countyOfBirth, gender, email, mobilePhone

    /// The value of this attribute for a citizen, in SPID format (`fiscalNumber` is `TINIT-<CF>`).
    public func value(for citizen: Citizen) -> String? {
        switch self {
        case .fiscalNumber: "TINIT-\(citizen.codiceFiscale.value)"
        case .name: citizen.givenName
        case .familyName: citizen.familyName
        case .dateOfBirth: citizen.dateOfBirth
        case .placeOfBirth: citizen.placeOfBirth
        case .countyOfBirth: citizen.countyOfBirth
        case .gender: citizen.gender
        case .email: citizen.email
        case .mobilePhone: citizen.mobilePhone
        }
    }
}
