import Foundation

/// A regional OTP credential: an ID (the last 10 digits of the health card's identification number),
/// a password, and a second factor (authenticator-app TOTP or SMS codes).
public struct OTPCredential: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case pendingFirstAccess, active, disabled }

    public let id: String
    public var citizen: CodiceFiscale
    /// Argon2id encoded hash (`$argon2id$v=19$...`).
    public var passwordHash: String
    /// Raw TOTP secret, if an authenticator app is enrolled.
    public var totpSecret: [UInt8]?
    /// The last TOTP time step accepted: a code is accepted once.
    public var lastTOTPStep: Int64?
    public var status: Status
    public var failedAttempts: Int
    public var lockedUntil: Date?
    public var created: Date
    public var lastLogin: Date?

    public init(id: String, citizen: CodiceFiscale, passwordHash: String, totpSecret: [UInt8]? = nil,
                status: Status = .active, created: Date) {
        self.id = id
        self.citizen = citizen
        self.passwordHash = passwordHash
        self.totpSecret = totpSecret
        self.lastTOTPStep = nil
        self.status = status
        self.failedAttempts = 0
        self.lockedUntil = nil
        self.created = created
        self.lastLogin = nil
    }
}
