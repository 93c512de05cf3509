import VarcoCore

/// Fixed names of the SPID and CIE SAML profiles (SPID technical rules; CIE technical manual).
public enum SPIDProfile {
    /// Namespace of the SPID metadata extensions (ContactPerson/Extensions).
    public static let spidExtensions = "https://spid.gov.it/saml-extensions"
    /// Namespace of the CIE metadata extensions.
    public static let cieExtensions = "https://www.cartaidentita.interno.gov.it/saml-extensions"
    public static let bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
    public static let attributeNameFormatBasic = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"

    /// The attributes an SP may request from SPID providers (SPID rules, "attributi").
    public static let spidAttributes: Set<String> = [
        "spidCode", "name", "familyName", "placeOfBirth", "countyOfBirth", "dateOfBirth", "gender", "companyName",
        "registeredOffice", "fiscalNumber", "ivaCode", "idCard", "mobilePhone", "email", "address", "expirationDate",
        "digitalAddress", "domicileStreetAddress", "domicilePostalCode", "domicileMunicipality", "domicileProvince",
        "domicileNation", "companyFiscalNumber",
    ]
    /// CIE releases only the eIDAS minimum data set.
    public static let cieAttributes: Set<String> = ["name", "familyName", "dateOfBirth", "fiscalNumber"]
}

extension UpstreamLogin.Kind {
    /// The login method a proof through this kind of provider counts as.
    public var method: AuthenticationMethod { self == .spid ? .spid : .cie }
    /// The path segment of this kind's endpoints: `/spid/...` or `/cie/...`.
    public var pathSegment: String { rawValue }
}
