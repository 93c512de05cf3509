/// A natural person known to Varco. Every login method resolves to the codice fiscale.
public struct Citizen: Sendable, Codable, Equatable {
    public var codiceFiscale: CodiceFiscale
    public var givenName: String
    public var familyName: String
    /// ISO 8601 date, `YYYY-MM-DD`.
    public var dateOfBirth: String
    /// Belfiore code of the municipality or foreign state of birth, e.g. `H501` for Roma.
    public var placeOfBirth: String
    /// Province abbreviation of the place of birth, e.g. `RM`.
    public var countyOfBirth: String?
    public var gender: String?
    public var email: String?
    /// E.164 mobile number, e.g. `+393331234567`.
    public var mobilePhone: String?

    public init(codiceFiscale: CodiceFiscale, givenName: String, familyName: String, dateOfBirth: String,
                placeOfBirth: String, countyOfBirth: String? = nil, gender: String? = nil,
                email: String? = nil, mobilePhone: String? = nil) {
        self.codiceFiscale = codiceFiscale
        self.givenName = givenName
        self.familyName = familyName
        self.dateOfBirth = dateOfBirth
        self.placeOfBirth = placeOfBirth
        self.countyOfBirth = countyOfBirth
        self.gender = gender
        self.email = email
        self.mobilePhone = mobilePhone
    }
}
