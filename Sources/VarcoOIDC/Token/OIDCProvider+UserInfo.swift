import Foundation
import VarcoCore

/// The UserInfo answer (OIDC Core §5.3.2). The fiscal number uses the eIDAS/SPID claim name.
public struct UserInfo: Codable, Sendable, Equatable {
    public let sub: String
    public let given_name: String?
    public let family_name: String?
    public let birthdate: String?
    public let fiscalNumber: String?
    public let email: String?

    enum CodingKeys: String, CodingKey {
        case sub, given_name, family_name, birthdate, email
        case fiscalNumber = "https://attributes.eid.gov.it/fiscal_number"
    }
}

extension OIDCProvider {
    /// The UserInfo endpoint: a Bearer access token (RFC 6750 §2.1) in `authorization`.
    /// `profile` releases names, birth date and fiscal number; `email` the e-mail address.
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
            let scopes = Set(claims.scope.split(separator: " ").map(String.init))
            let profile = scopes.contains("profile")
            return (.ok(UserInfo(sub: claims.sub, given_name: profile ? citizen.givenName : nil, family_name: profile ? citizen.familyName : nil,
                                 birthdate: profile ? citizen.dateOfBirth : nil,
                                 fiscalNumber: profile ? "TINIT-\(citizen.codiceFiscale.value)" : nil,
                                 email: scopes.contains("email") ? citizen.email : nil)), nil)
        } catch {
            let failure = OAuthError.backend(error, while: "answering")
            return (.error(failure), failure)
        }
    }
}
