import Foundation
import VarcoCore

/// Who Varco is toward SPID and CIE: the organisation, its contacts and the attribute sets it asks for.
/// Read from a JSON file (`--spid-config`), with the demo values as defaults. The URLs derive from
/// Varco's public address: `/spid/...` for SPID and `/cie/...` for CIE, each with its own entityID.
public struct ServiceProviderSettings: Codable, Sendable, Equatable {
    /// Full legal name (equal to the certificate's organizationName), in Italian.
    public var organizationName: String
    /// Short name shown by the identity providers.
    public var organizationDisplayName: String
    public var organizationURL: String
    /// IndicePA code of the public administration (SPID `spid:IPACode`, CIE `cie:IPACode`).
    public var ipaCode: String
    /// Institutional contact address (never a person's).
    public var contactEmail: String
    /// International format without spaces, e.g. `+390612345678`.
    public var contactPhone: String?
    /// ISTAT/Belfiore code of the municipality of the seat (CIE `cie:Municipality`), e.g. `H501`.
    public var municipality: String
    /// Province abbreviation (CIE `cie:Province`), e.g. `RM`.
    public var province: String?
    /// Full name of the city of the seat (certificate localityName).
    public var locality: String
    /// The attributes asked in each AttributeConsumingService, by index; index 0 is the default.
    public var spidAttributeSets: [[String]]
    public var cieAttributeSets: [[String]]
    /// The level asked when a citizen logs straight into Varco (not for a service).
    public var directLoginLevel: LevelOfAssurance
    /// How long upstream responses are kept for the audit trail, in days (SPID asks for 24 months).
    public var responseRetentionDays: Int

    public init(organizationName: String = "Regione Demo", organizationDisplayName: String = "Regione Demo",
                organizationURL: String = "https://www.regione.demo.example", ipaCode: String = "r_demo",
                contactEmail: String = "protocollo@regione.demo.example", contactPhone: String? = "+390612345678",
                municipality: String = "H501", province: String? = "RM", locality: String = "Roma",
                spidAttributeSets: [[String]] = [["fiscalNumber", "name", "familyName", "dateOfBirth", "placeOfBirth",
                                                  "countyOfBirth", "gender", "email", "mobilePhone"]],
                cieAttributeSets: [[String]] = [["fiscalNumber", "name", "familyName", "dateOfBirth"]],
                directLoginLevel: LevelOfAssurance = .spidL2, responseRetentionDays: Int = 730) {
        self.organizationName = organizationName
        self.organizationDisplayName = organizationDisplayName
        self.organizationURL = organizationURL
        self.ipaCode = ipaCode
        self.contactEmail = contactEmail
        self.contactPhone = contactPhone
        self.municipality = municipality
        self.province = province
        self.locality = locality
        self.spidAttributeSets = spidAttributeSets
        self.cieAttributeSets = cieAttributeSets
        self.directLoginLevel = directLoginLevel
        self.responseRetentionDays = responseRetentionDays
    }

    public func attributeSets(_ kind: UpstreamLogin.Kind) -> [[String]] {
        kind == .spid ? spidAttributeSets : cieAttributeSets
    }

    /// Problems that must stop the server, each saying what to change in the settings file.
    public func validate() -> [String] {
        var problems: [String] = []
        if organizationName.isEmpty { problems.append("spid settings: organizationName must not be empty") }
        if ipaCode.isEmpty || ipaCode.count > 16 || ipaCode.contains(where: \.isWhitespace) {
            problems.append("spid settings: ipaCode must be the IndicePA code (1-16 characters, no spaces)")
        }
        if !contactEmail.contains("@") { problems.append("spid settings: contactEmail must be an e-mail address") }
        if let phone = contactPhone, phone.contains(where: \.isWhitespace) || !phone.hasPrefix("+") {
            problems.append("spid settings: contactPhone must be international (+39...) without spaces")
        }
        for (kind, sets, allowed) in [("SPID", spidAttributeSets, SPIDProfile.spidAttributes),
                                      ("CIE", cieAttributeSets, SPIDProfile.cieAttributes)] {
            if sets.isEmpty || sets.contains(where: \.isEmpty) {
                problems.append("spid settings: every \(kind) attribute set needs at least one attribute")
            }
            for name in sets.flatMap({ $0 }) where !allowed.contains(name) {
                problems.append("spid settings: \(name) is not a \(kind) attribute")
            }
            if sets.contains(where: { Set($0).count != $0.count }) {
                problems.append("spid settings: a \(kind) attribute set names an attribute twice")
            }
        }
        if responseRetentionDays < 1 { problems.append("spid settings: responseRetentionDays must be at least 1") }
        return problems
    }
}

/// The endpoints of one of Varco's two service providers (SPID or CIE), from Varco's public address.
public struct ServiceProviderEndpoints: Sendable, Equatable {
    public let kind: UpstreamLogin.Kind
    public let publicURL: String

    public init(kind: UpstreamLogin.Kind, publicURL: String) {
        self.kind = kind
        self.publicURL = publicURL
    }

    /// The entityID, which is also where the metadata is published.
    public var entityID: String { "\(publicURL)/\(kind.pathSegment)/metadata" }
    /// AssertionConsumerService index 0 (HTTP-POST).
    public var assertionConsumerServiceURL: String { "\(publicURL)/\(kind.pathSegment)/acs" }
    /// SingleLogoutService (HTTP-Redirect and HTTP-POST): where the provider answers our LogoutRequest.
    public var singleLogoutServiceURL: String { "\(publicURL)/\(kind.pathSegment)/slo" }
}
