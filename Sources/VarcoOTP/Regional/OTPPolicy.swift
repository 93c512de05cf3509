import Foundation
import VarcoCore

/// The rules of regional OTP credentials, as configuration. The defaults are the documented ones
/// (the law of 2020 on digital identity and Regione Lombardia's practice):
/// - from 2021-02-28 new credentials only for minors and wards; requests received earlier are still honoured;
/// - adults' OTP logins refused after 2021-09-30;
/// - SMS codes of 8 digits, valid 3 minutes, single use, 3 attempts, resend after 60 s, at most 3 sends.
public struct OTPPolicy: Sendable, Equatable {
    /// First day (`YYYY-MM-DD`, Europe/Rome) on which adults no longer get new credentials; nil: no cut-off.
    public var issuanceCutoff: String?
    /// Last day on which adults may log in with OTP credentials; nil: no deadline.
    public var usageDeadline: String?
    public var codeLength: Int
    public var codeLifetime: TimeInterval
    public var maxCodeAttempts: Int
    public var resendInterval: TimeInterval
    public var maxSends: Int
    /// Wrong passwords before the credential is locked, and for how long.
    public var maxPasswordFailures: Int
    public var lockout: TimeInterval
    /// Per-IP caps per hour: login attempts, and SMS sent.
    public var loginsPerIPPerHour: Int
    public var smsPerIPPerHour: Int
    /// SMS to one number per hour, and in total per hour (SMS-pumping caps).
    public var smsPerNumberPerHour: Int
    public var smsGlobalPerHour: Int

    public init(issuanceCutoff: String? = "2021-02-28", usageDeadline: String? = "2021-09-30", codeLength: Int = 8,
                codeLifetime: TimeInterval = 180, maxCodeAttempts: Int = 3, resendInterval: TimeInterval = 60, maxSends: Int = 3,
                maxPasswordFailures: Int = 5, lockout: TimeInterval = 15 * 60, loginsPerIPPerHour: Int = 100,
                smsPerIPPerHour: Int = 20, smsPerNumberPerHour: Int = 6, smsGlobalPerHour: Int = 1000) {
        self.issuanceCutoff = issuanceCutoff
        self.usageDeadline = usageDeadline
        self.codeLength = codeLength
        self.codeLifetime = codeLifetime
        self.maxCodeAttempts = maxCodeAttempts
        self.resendInterval = resendInterval
        self.maxSends = maxSends
        self.maxPasswordFailures = maxPasswordFailures
        self.lockout = lockout
        self.loginsPerIPPerHour = loginsPerIPPerHour
        self.smsPerIPPerHour = smsPerIPPerHour
        self.smsPerNumberPerHour = smsPerNumberPerHour
        self.smsGlobalPerHour = smsGlobalPerHour
    }

    /// The calendar day of `date` in Italy, `YYYY-MM-DD`.
    public static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Rome") ?? TimeZone(secondsFromGMT: 3600)!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// Whether `text` is a real calendar day `YYYY-MM-DD`.
    public static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4, (1...12).contains(m), d >= 1 else { return false }
        let days = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return d <= days[m - 1]
    }

    /// Whether someone born on `birthDate` is under 18 on `today` (both `YYYY-MM-DD`).
    public static func isMinor(birthDate: String, today: String) -> Bool {
        guard let year = Int(birthDate.prefix(4)) else { return false }
        let eighteenth = String(format: "%04d", year + 18) + birthDate.dropFirst(4)
        return eighteenth > today
    }

    /// Why an issuance is refused by policy, or nil if it is allowed.
    /// `requestReceived` is the day an online request arrived (honoured if before the cut-off).
    public func issuanceRefusal(holder: OTPHolderCategory, now: Date, requestReceived: String? = nil) -> String? {
        guard holder == .adult, let cutoff = issuanceCutoff else { return nil }
        let reference = min(Self.day(now), requestReceived ?? Self.day(now))
        guard reference >= cutoff else { return nil }
        return "dal \(cutoff) le credenziali OTP si rilasciano solo a minori e a persone sotto tutela: un maggiorenne deve usare SPID, CIE o la Carta (TS-CNS)"
    }

    /// Whether the usage deadline refuses this credential's login at `now`.
    public func loginRefused(_ credential: OTPCredential, now: Date) -> Bool {
        guard let deadline = usageDeadline else { return false }
        let today = Self.day(now)
        guard today > deadline else { return false }
        if credential.holder == .ward { return false }
        if let birth = credential.birthDate, Self.isMinor(birthDate: birth, today: today) { return false }
        return true
    }
}

/// The password rules of regional OTP credentials.
public struct PasswordPolicy: Sendable {
    public enum Violation: String, Sendable, Equatable, CaseIterable {
        case tooShort, tooFewClasses, containsIdentifier, recentlyUsed, tooCommon, mismatch
        /// The message key shown next to the field.
        public var messageKey: String { "otp_pw_\(rawValue)" }
    }

    public var minimumLength = 10
    public var minimumClasses = 3
    public var historySize = 5

    public init() {}

    /// Every rule the new password breaks; empty if it is acceptable.
    /// - Parameters:
    ///   - identifiers: the OTP ID and codice fiscale, which it may not contain.
    ///   - previousHashes: Argon2id hashes of the current and previous passwords, newest first.
    public func violations(_ password: String, confirmation: String, identifiers: [String], previousHashes: [String],
                           hasher: PasswordHasher) -> [Violation] {
        var found: [Violation] = []
        if password != confirmation { found.append(.mismatch) }
        if password.count < minimumLength { found.append(.tooShort) }
        var classes = 0
        if password.contains(where: { $0.isLowercase }) { classes += 1 }
        if password.contains(where: { $0.isUppercase }) { classes += 1 }
        if password.contains(where: { $0.isNumber }) { classes += 1 }
        if password.contains(where: { !$0.isLetter && !$0.isNumber }) { classes += 1 }
        if classes < minimumClasses { found.append(.tooFewClasses) }
        let lowered = password.lowercased()
        if identifiers.contains(where: { !$0.isEmpty && lowered.contains($0.lowercased()) }) { found.append(.containsIdentifier) }
        if CommonPasswords.contains(lowered) { found.append(.tooCommon) }
        if found.isEmpty, previousHashes.prefix(historySize).contains(where: { hasher.verify(password, encoded: $0) }) {
            found.append(.recentlyUsed)
        }
        return found
    }
}
