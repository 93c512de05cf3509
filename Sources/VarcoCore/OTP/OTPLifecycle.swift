import Foundation

/// Who holds a regional OTP credential. After the issuance cut-off only minors and wards get new ones.
public enum OTPHolderCategory: String, Codable, Sendable, CaseIterable {
    case adult, minor, ward
}

/// Why an SMS code was sent.
public enum SMSCodePurpose: String, Codable, Sendable {
    /// The second factor of an ordinary login.
    case login
    /// The last step of the first access, after the new password was chosen.
    case firstAccess
    /// The validation code of the forgotten-password procedure.
    case recovery
}

/// A one-time code sent by SMS, stored only as its SHA-256 hash, with its expiry and attempt counter.
/// Keyed by `id`, which names the flow it belongs to (e.g. purpose and login transaction).
public struct SMSChallenge: Codable, Sendable, Equatable {
    public let id: String
    public var purpose: SMSCodePurpose
    /// The OTP credential the code proves; nil when the details given did not match any credential
    /// (the flow continues identically, and no code will ever match).
    public var credentialID: String?
    /// Lowercase hex SHA-256 of the code.
    public var codeHash: String
    public var created: Date
    public var expires: Date
    public var attempts: Int
    public var maxAttempts: Int
    public var consumed: Bool
    /// How many times a code was sent for this flow, and when the last one went.
    public var sends: Int
    public var lastSent: Date
    /// The Argon2id hash of the new password chosen during first access, set when the SMS step starts.
    public var pendingPasswordHash: String?

    public init(id: String, purpose: SMSCodePurpose, credentialID: String?, codeHash: String, created: Date,
                lifetime: TimeInterval, maxAttempts: Int) {
        self.id = id
        self.purpose = purpose
        self.credentialID = credentialID
        self.codeHash = codeHash
        self.created = created
        self.expires = created.addingTimeInterval(lifetime)
        self.attempts = 0
        self.maxAttempts = maxAttempts
        self.consumed = false
        self.sends = 1
        self.lastSent = created
        self.pendingPasswordHash = nil
    }
}

/// One SMS as handed to the gateway, and what became of it.
public struct SMSMessage: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case queued, sent, failed }
    public let id: String
    /// E.164 number, `+39...`.
    public var to: String
    public var text: String
    public var created: Date
    public var status: Status
    public var attempts: Int
    /// The last error, for a failed delivery.
    public var error: String?

    public init(id: String, to: String, text: String, created: Date, status: Status = .queued, attempts: Int = 0, error: String? = nil) {
        self.id = id
        self.to = to
        self.text = text
        self.created = created
        self.status = status
        self.attempts = attempts
        self.error = error
    }
}

/// A counter operator (ASST office, accredited facility) allowed to issue and manage OTP credentials.
public struct OTPOperator: Codable, Sendable, Equatable {
    public let name: String
    /// Lowercase hex SHA-256 of the bearer token; the token itself is shown once and never stored.
    public var tokenHash: String
    public var created: Date
    public var enabled: Bool

    public init(name: String, tokenHash: String, created: Date, enabled: Bool = true) {
        self.name = name
        self.tokenHash = tokenHash
        self.created = created
        self.enabled = enabled
    }
}
