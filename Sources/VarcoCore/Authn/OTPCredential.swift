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

    // Regional (SMS) credential life cycle. Optional: records stored before these existed decode with nil.
    /// E.164 mobile number on record, where SMS codes go.
    public var mobilePhone: String?
    /// The 20-digit identification number of the health card the ID was taken from.
    public var cardNumber: String?
    /// Date of birth `YYYY-MM-DD`, to tell minors from adults under the usage deadline.
    public var birthDate: String?
    public var holder: OTPHolderCategory?
    /// Codice fiscale of the legal representative (minor) or guardian (ward).
    public var representative: String?
    /// Reference of the guardianship decree (ward).
    public var decree: String?
    /// The operator who issued the credential at the counter.
    public var issuedBy: String?
    /// Argon2id hashes of the last passwords, newest first (not reusable).
    public var passwordHistory: [String]?
    /// SHA-256 hashes of unused authenticator-app recovery codes.
    public var recoveryCodeHashes: [String]?
    /// An authenticator-app secret waiting for its first code (enrollment in progress).
    public var pendingTOTPSecret: [UInt8]?
    /// When the credential was deactivated by the citizen or an operator.
    public var deactivated: Date?
    /// Card replacement: the ID of the old card this credential (the new card's) replaces, until the first
    /// login with the new ID retires the old one.
    public var replaces: String?
    /// Card replacement: on the old card's credential, the new card's ID; the old ID is refused once
    /// `replacementCompleted` is set.
    public var replacedBy: String?
    public var replacementCompleted: Date?

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
