import Foundation
import VarcoCore

/// ID token claims (OIDC Core §2).
public struct IDTokenClaims: Codable, Sendable, Equatable {
    public let iss: String
    public let sub: String
    public let aud: String
    public let exp: Int
    public let iat: Int
    public let auth_time: Int
    public let nonce: String?
    public let acr: String
    public let amr: [String]
    public let sid: String
    public let azp: String
}

/// JWT access token claims (RFC 9068 §2.2). `jti` starts with the grant id, so that a revoked grant
/// stops its access tokens.
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    public let iss: String
    public let sub: String
    public let aud: String
    public let exp: Int
    public let iat: Int
    public let jti: String
    public let client_id: String
    public let scope: String
    public let auth_time: Int
    public let acr: String
    public let amr: [String]

    var grantID: String? { jti.split(separator: ".").first.map(String.init) }
}

/// The RFC 8176 `amr` values of each login method.
enum AuthenticationMethodReferences {
    static func values(for method: AuthenticationMethod) -> [String] {
        switch method {
        case .otpApp, .otpSMS: ["pwd", "otp", "mfa"]
        case .smartCard: ["hwk", "sc", "pin", "mfa"]
        default: ["fed"]
        }
    }
}

extension Date {
    var epochSeconds: Int { Int(timeIntervalSince1970.rounded(.down)) }
}
