import Foundation
import VarcoCore

/// What a verified SPID/CIE assertion says: the subject, the level reached, the attributes.
public struct UpstreamAssertion: Sendable, Equatable {
    public var identityProvider: String
    public var nameID: String
    public var nameIDFormat: String
    public var nameQualifier: String?
    public var sessionIndex: String?
    public var level: LevelOfAssurance
    public var authnInstant: Date?
    /// Attribute name to value (several values joined by ", ").
    public var attributes: [String: String]

    public init(identityProvider: String, nameID: String, nameIDFormat: String, nameQualifier: String?, sessionIndex: String?,
                level: LevelOfAssurance, authnInstant: Date?, attributes: [String: String]) {
        self.identityProvider = identityProvider
        self.nameID = nameID
        self.nameIDFormat = nameIDFormat
        self.nameQualifier = nameQualifier
        self.sessionIndex = sessionIndex
        self.level = level
        self.authnInstant = authnInstant
        self.attributes = attributes
    }

    /// The codice fiscale from `fiscalNumber` (`TINIT-<CF>`), validated.
    public func codiceFiscale() throws(UpstreamResponseFailure) -> CodiceFiscale {
        guard let value = attributes["fiscalNumber"]?.trimmingCharacters(in: .whitespaces) else {
            throw .identity("the provider sent no fiscalNumber")
        }
        guard value.hasPrefix("TINIT-") else { throw .identity("fiscalNumber is not TINIT-<codice fiscale>") }
        do { return try CodiceFiscale(String(value.dropFirst(6))) } catch {
            throw .identity("fiscalNumber holds no valid codice fiscale (\(error))")
        }
    }

    /// Varco's record of the citizen from the SPID attributes, keeping what Varco already knows when the
    /// provider did not send it.
    public func citizen(updating known: Citizen?) throws(UpstreamResponseFailure) -> Citizen {
        let cf = try codiceFiscale()
        func value(_ name: String) -> String? { attributes[name].flatMap { $0.isEmpty ? nil : $0 } }
        return Citizen(codiceFiscale: cf, givenName: value("name") ?? known?.givenName ?? "",
                       familyName: value("familyName") ?? known?.familyName ?? "",
                       dateOfBirth: value("dateOfBirth") ?? known?.dateOfBirth ?? "",
                       placeOfBirth: value("placeOfBirth") ?? known?.placeOfBirth ?? "",
                       countyOfBirth: value("countyOfBirth") ?? known?.countyOfBirth, gender: value("gender") ?? known?.gender,
                       email: value("email") ?? known?.email, mobilePhone: value("mobilePhone") ?? known?.mobilePhone)
    }

    /// What single logout needs to end the upstream session.
    public func upstreamLogin(kind: UpstreamLogin.Kind) -> UpstreamLogin {
        UpstreamLogin(kind: kind, identityProvider: identityProvider, nameID: nameID, nameIDFormat: nameIDFormat,
                      nameQualifier: nameQualifier, sessionIndex: sessionIndex)
    }
}
