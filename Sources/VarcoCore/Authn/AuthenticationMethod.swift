/// A way for a citizen to prove who they are. Each authenticator declares one.
public struct AuthenticationMethod: RawRepresentable, Hashable, Codable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// ID + password + a TOTP code from an authenticator app ("OTP cohesion").
    public static let otpApp = AuthenticationMethod(rawValue: "otp-app")
    /// ID + password + a one-time code by SMS.
    public static let otpSMS = AuthenticationMethod(rawValue: "otp-sms")
    /// TS-CNS, CNS or CIE by TLS client certificate.
    public static let smartCard = AuthenticationMethod(rawValue: "smartcard")
    public static let spid = AuthenticationMethod(rawValue: "spid")
    public static let cie = AuthenticationMethod(rawValue: "cie")
}

/// What an authenticator can do, in the spirit of Shibboleth's login flow descriptors.
public struct AuthenticatorDescriptor: Sendable, Equatable {
    public let method: AuthenticationMethod
    /// The levels this method can prove.
    public let levels: Set<LevelOfAssurance>
    /// Whether it can authenticate without showing anything (never true for interactive methods).
    public let supportsPassive: Bool

    public init(method: AuthenticationMethod, levels: Set<LevelOfAssurance>, supportsPassive: Bool = false) {
        self.method = method
        self.levels = levels
        self.supportsPassive = supportsPassive
    }

    /// Whether this method can satisfy the requirement, i.e. prove an acceptable level.
    public func canSatisfy(_ requirement: LoginRequirement) -> Bool {
        levels.contains { requirement.levelToAssert(for: $0) != nil }
    }
}

/// The least an authenticator needs to offer: its descriptor. Capability protocols (password and
/// code, client certificate, upstream SAML) add the calls each login page needs.
public protocol Authenticator: Sendable {
    var descriptor: AuthenticatorDescriptor { get }
}
