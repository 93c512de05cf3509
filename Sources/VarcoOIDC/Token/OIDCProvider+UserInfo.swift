import Foundation
import VarcoCore

/// The UserInfo answer (OIDC Core §5.3.2). The fiscal number and place of birth use the SPID/CIE claim names.
public struct UserInfo: Codable, Sendable, Equatable {
    public struct PlaceOfBirth: Codable, Sendable, Equatable {
        /// Belfiore code of the municipality or foreign state.
        public var locality: String?
        /// Province abbreviation.
        public var region: String?

        public init(locality: String?, region: String?) {
            self.locality = locality
            self.region = region
        }
    }

    public let sub: String
    public var given_name: String?
    public var family_name: String?
    public var birthdate: String?
    public var gender: String?
    public var place_of_birth: PlaceOfBirth?
    public var fiscalNumber: String?
    public var email: String?
    public var phone_number: String?

    enum CodingKeys: String, CodingKey {
        case sub, given_name, family_name, birthdate, gender, place_of_birth, email, phone_number
        case fiscalNumber = "https://attributes.eid.gov.it/fiscal_number"
    }

    /// What `citizen` releases to a client: the claims the granted `scopes` ask for, limited to the attributes the
    /// client's policy allows (`released`, nil: no limit). An attribute the citizen lacks is left out.
    public init(sub: String, citizen: Citizen, scopes: Set<String>, released: [IdentityAttribute]?) {
        self.sub = sub
        let allowed = Set(released ?? IdentityAttribute.allCases)
        func value(_ attribute: IdentityAttribute) -> String? { allowed.contains(attribute) ? attribute.value(for: citizen) : nil }
        for claim in UserClaim.allCases where scopes.contains(claim.scope) {
            switch claim {
            case .fiscalNumber: fiscalNumber = value(.fiscalNumber)
            case .givenName: given_name = value(.name)
            case .familyName: family_name = value(.familyName)
            case .birthdate: birthdate = value(.dateOfBirth)
            case .gender: gender = value(.gender).map { $0 == "F" ? "female" : $0 == "M" ? "male" : $0 }
            case .placeOfBirth:
                let place = PlaceOfBirth(locality: value(.placeOfBirth), region: value(.countyOfBirth))
                place_of_birth = place.locality == nil && place.region == nil ? nil : place
            case .email: email = value(.email)
            case .phoneNumber: phone_number = value(.mobilePhone)
            }
        }
    }
}

extension OIDCProvider {
    /// The UserInfo endpoint: a Bearer access token (RFC 6750 §2.1) in `authorization`.
    /// The scopes granted choose the claims (`profile`: names, birth, gender, fiscal number; `email`; `phone`), and the
    /// client's policy (`releasedAttributes` of its registration) limits them.
    public func userInfo(authorization: String?) async -> (OAuthJSONResponse, OAuthError?) {
        guard let header = authorization, header.utf8.count <= 16 * 1024, header.lowercased().hasPrefix("bearer ") else {
            let error = OAuthError.invalidToken("no Bearer token")
            return (.error(error, bearerChallenge: true), error)
        }
        do {
            guard let (claims, grant) = try await validAccessToken(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) else {
                let error = OAuthError.invalidToken("invalid, expired or revoked access token")
                return (.error(error, bearerChallenge: true), error)
            }
            guard let citizen = try await citizens.find(grant.citizen) else {
                let error = OAuthError.invalidToken("citizen \(grant.citizen.value) no longer exists")
                return (.error(error, bearerChallenge: true), error)
            }
            // The policy read now, not at login: a claim withheld by the administrator stops at once.
            guard let client = try await clients.find(id: grant.clientID), client.kind == .oidcClient else {
                let error = OAuthError.invalidToken("client \(grant.clientID) is no longer registered")
                return (.error(error, bearerChallenge: true), error)
            }
            let scopes = Set(claims.scope.split(separator: " ").map(String.init))
            return (.ok(UserInfo(sub: claims.sub, citizen: citizen, scopes: scopes, released: client.settings.releasedAttributes)), nil)
        } catch {
            let failure = OAuthError.backend(error, while: "answering")
            return (.error(failure), failure)
        }
    }
}
