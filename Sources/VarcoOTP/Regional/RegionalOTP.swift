import Foundation
import VarcoCore

/// The life of regional OTP credentials with SMS codes: counter issuance, login (ID + password, then an
/// 8-digit code by SMS), first access, forgotten password, unlock. Method `otp-sms`, level SpidL2.
///
/// No answer says which of several secrets was wrong; an unknown ID costs the same Argon2id work as a
/// known one. Codes are stored as SHA-256 hashes with an expiry and an attempt counter, and consumed
/// inside the store's `update` transaction, so a code opens at most one door.
public struct RegionalOTP: Authenticator {
    public let descriptor = AuthenticatorDescriptor(method: .otpSMS, levels: [.spidL2])
    public let policy: OTPPolicy
    public let passwordPolicy: PasswordPolicy

    let credentials: any OTPCredentialStore
    let citizens: any CitizenStore
    let stores: OTPStores
    let audit: any AuditLog
    let gateway: any SMSGateway
    let clock: any WallClock
    let random: any RandomSource
    let hasher: PasswordHasher
    private let dummyHash: String

    public init(credentials: any OTPCredentialStore, citizens: any CitizenStore, stores: OTPStores, audit: any AuditLog,
                gateway: any SMSGateway, clock: any WallClock, random: any RandomSource = SystemRandomSource(),
                hasher: PasswordHasher = PasswordHasher(), policy: OTPPolicy = OTPPolicy(),
                passwordPolicy: PasswordPolicy = PasswordPolicy()) {
        self.credentials = credentials
        self.citizens = citizens
        self.stores = stores
        self.audit = audit
        self.gateway = gateway
        self.clock = clock
        self.random = random
        self.hasher = hasher
        self.policy = policy
        self.passwordPolicy = passwordPolicy
        dummyHash = (try? hasher.hash("varco-unknown-id-placeholder")) ?? ""
    }

    /// Why a step was refused. Pages map each to a message; none reveals which secret was wrong.
    public enum Refusal: Error, Equatable, Sendable {
        case missingInput
        /// ID or password (or temporary password) wrong.
        case invalidCredentials
        case locked(until: Date)
        /// Deactivated, or in the wrong state for this flow.
        case disabled
        /// The credential still has its temporary password: do the first access.
        case firstAccessRequired
        /// The usage deadline has passed for this (adult) holder: use SPID, CIE or CNS.
        case pastUsageDeadline
        /// The code is wrong; `remaining` attempts are left.
        case wrongCode(remaining: Int)
        /// The code expired, was used, or its attempts are exhausted: start again.
        case codeExpired
        /// A resend came too soon or too many codes were sent.
        case resendTooSoon
        /// A rate limit or an SMS cap was reached.
        case tooManyRequests
        /// The new password breaks these rules.
        case weakPassword([PasswordPolicy.Violation])
        /// The SMS could not be sent.
        case smsUnavailable
    }

    // MARK: Login

    /// First step of a login: checks ID and password, then sends a code by SMS for the flow `flowID`.
    /// Returns the masked mobile number the code went to.
    public func startLogin(id rawID: String, password: String, flowID: String, client: String?) async throws -> String {
        let id = rawID.filter { !$0.isWhitespace }
        guard !id.isEmpty, !password.isEmpty else { throw Refusal.missingInput }
        try await limit("login-ip:\(client ?? "-")", max: policy.loginsPerIPPerHour, subject: id, client: client)
        let credential = try await checkPassword(id: id, password: password, client: client)
        guard credential.status != .pendingFirstAccess else { throw Refusal.firstAccessRequired }
        guard credential.status == .active, credential.deactivated == nil else { throw Refusal.disabled }
        if policy.loginRefused(credential, now: clock.now()) {
            await record(.otpLoginRefusedByPolicy, subject: credential.citizen.value,
                         detail: "otp-sms credential \(id): usage deadline \(policy.usageDeadline ?? "-") passed", client: client)
            throw Refusal.pastUsageDeadline
        }
        return try await sendCode(flowID: flowID, purpose: .login, credential: credential, client: client)
    }

    /// Second step of a login: the SMS code. On success the credential records the login.
    public func finishLogin(flowID: String, code: String, client: String?) async throws -> AuthnResult {
        let credential = try await consume(flowID: flowID, purpose: .login, code: code)
        let now = clock.now()
        let updated = try await credentials.update(id: credential) { stored in
            stored.lastLogin = now
            stored.failedAttempts = 0
        }
        try await completeCardReplacement(afterLoginWith: credential, client: client)
        return AuthnResult(citizen: updated.citizen, level: .spidL2, method: .otpSMS, instant: now)
    }

    /// Sends a new code for the same flow, at most `maxSends` times and not sooner than `resendInterval`.
    public func resend(flowID: String, client: String?) async throws {
        guard let challenge = try await stores.challenges.find(id: flowID), !challenge.consumed,
              challenge.purpose != .recovery || challenge.credentialID != nil else {
            // Unknown flows (and recovery flows with unmatched details) are answered like a throttled resend.
            throw Refusal.resendTooSoon
        }
        let now = clock.now()
        guard challenge.sends < policy.maxSends, now.timeIntervalSince(challenge.lastSent) >= policy.resendInterval else {
            throw Refusal.resendTooSoon
        }
        guard let id = challenge.credentialID, let credential = try await credentials.find(id: id) else { throw Refusal.codeExpired }
        _ = try await sendCode(flowID: flowID, purpose: challenge.purpose, credential: credential, client: client,
                               keeping: challenge)
    }

    // MARK: First access

    /// First access, step 1: ID and the 10-character temporary password. Opens the flow `flowID`.
    public func startFirstAccess(id rawID: String, temporaryPassword: String, flowID: String, client: String?) async throws {
        let id = rawID.filter { !$0.isWhitespace }
        let password = temporaryPassword.filter { !$0.isWhitespace }
        guard !id.isEmpty, !password.isEmpty else { throw Refusal.missingInput }
        try await limit("login-ip:\(client ?? "-")", max: policy.loginsPerIPPerHour, subject: id, client: client)
        let credential = try await checkPassword(id: id, password: password, client: client)
        guard credential.status == .pendingFirstAccess, credential.deactivated == nil else { throw Refusal.disabled }
        var challenge = SMSChallenge(id: flowID, purpose: .firstAccess, credentialID: credential.id, codeHash: "",
                                     created: clock.now(), lifetime: 15 * 60, maxAttempts: policy.maxCodeAttempts)
        challenge.sends = 0
        try await stores.challenges.save(challenge)
    }

    /// First access, step 2: the new password twice. Checks the password policy and sends the SMS code.
    public func choosePassword(flowID: String, password: String, confirmation: String, client: String?) async throws -> String {
        guard let challenge = try await stores.challenges.find(id: flowID), challenge.purpose == .firstAccess, !challenge.consumed,
              challenge.expires > clock.now(), let id = challenge.credentialID,
              let credential = try await credentials.find(id: id), credential.status == .pendingFirstAccess else {
            throw Refusal.codeExpired
        }
        let violations = passwordPolicy.violations(password, confirmation: confirmation,
                                                   identifiers: [credential.id, credential.citizen.value, credential.cardNumber ?? ""],
                                                   previousHashes: [credential.passwordHash] + (credential.passwordHistory ?? []),
                                                   hasher: hasher)
        guard violations.isEmpty else { throw Refusal.weakPassword(violations) }
        var prepared = challenge
        prepared.pendingPasswordHash = try hasher.hash(password)
        return try await sendCode(flowID: flowID, purpose: .firstAccess, credential: credential, client: client, keeping: prepared)
    }

    /// First access, step 3: the SMS code. Activates the credential with the new password and proves the citizen.
    public func finishFirstAccess(flowID: String, code: String, client: String?) async throws -> AuthnResult {
        guard let pending = try await stores.challenges.find(id: flowID)?.pendingPasswordHash else { throw Refusal.codeExpired }
        let id = try await consume(flowID: flowID, purpose: .firstAccess, code: code)
        let now = clock.now()
        let historySize = passwordPolicy.historySize
        let updated = try await credentials.update(id: id) { stored in
            guard stored.status == .pendingFirstAccess else { throw Refusal.disabled }
            stored.passwordHistory = Array(([stored.passwordHash] + (stored.passwordHistory ?? [])).prefix(historySize))
            stored.passwordHash = pending
            stored.status = .active
            stored.failedAttempts = 0
            stored.lockedUntil = nil
            stored.lastLogin = now
        }
        await record(.otpFirstAccess, subject: updated.citizen.value, detail: "otp-sms credential \(id) activated; password set", client: client)
        try await completeCardReplacement(afterLoginWith: id, client: client)
        return AuthnResult(citizen: updated.citizen, level: .spidL2, method: .otpSMS, instant: now)
    }

    // MARK: Forgotten password

    /// Forgotten password, step 1: ID, codice fiscale and mobile on record. If all three match a credential a
    /// validation code is sent; otherwise nothing is sent, but the answer is the same.
    public func startRecovery(id rawID: String, codiceFiscale: String, mobile: String, flowID: String, client: String?) async throws {
        let id = rawID.filter { !$0.isWhitespace }
        let cf = codiceFiscale.uppercased().filter { !$0.isWhitespace }
        let number = Self.normalizedMobile(mobile)
        guard !id.isEmpty, !cf.isEmpty, !number.isEmpty else { throw Refusal.missingInput }
        try await limit("recovery-ip:\(client ?? "-")", max: policy.smsPerIPPerHour, subject: id, client: client)
        let credential = try await credentials.find(id: id)
        let cfMatches = ConstantTime.equal(credential?.citizen.value ?? "-", cf)
        let mobileMatches = ConstantTime.equal(credential?.mobilePhone ?? "-", number)
        await record(.otpRecoveryRequested, subject: id, detail: "forgotten password requested", client: client)
        if let credential, cfMatches, mobileMatches, credential.deactivated == nil, credential.status != .disabled {
            _ = try await sendCode(flowID: flowID, purpose: .recovery, credential: credential, client: client)
        } else {
            // Same stored shape, no SMS: the next page looks the same and no code will match.
            _ = SHA256Hex.of(random.digits(policy.codeLength))
            try await stores.challenges.save(SMSChallenge(id: flowID, purpose: .recovery, credentialID: nil,
                                                          codeHash: SHA256Hex.of(random.token()), created: clock.now(),
                                                          lifetime: policy.codeLifetime, maxAttempts: policy.maxCodeAttempts))
        }
    }

    /// Forgotten password, step 2: the validation code. Sets a new temporary password (status back to
    /// first access), sends its last 5 characters by SMS and returns the first 5 for the screen.
    public func finishRecovery(flowID: String, code: String, client: String?) async throws -> (id: String, firstHalf: String) {
        let id = try await consume(flowID: flowID, purpose: .recovery, code: code)
        let temporary = Self.temporaryPassword(random)
        let hash = try hasher.hash(temporary)
        let historySize = passwordPolicy.historySize
        let updated = try await credentials.update(id: id) { stored in
            stored.passwordHistory = Array(([stored.passwordHash] + (stored.passwordHistory ?? [])).prefix(historySize))
            stored.passwordHash = hash
            stored.status = .pendingFirstAccess
            stored.failedAttempts = 0
            stored.lockedUntil = nil
        }
        try await deliver(to: updated.mobilePhone ?? "", text: SMSTexts.recoverySecondHalf(String(temporary.suffix(5))),
                          subject: updated.citizen.value, client: client)
        await record(.otpPasswordReset, subject: updated.citizen.value,
                     detail: "otp-sms credential \(id): new temporary password after recovery", client: client)
        return (id, String(temporary.prefix(5)))
    }

    // MARK: Operators

    /// Lifts a lockout (operator action).
    public func unlock(id: String, by operatorName: String) async throws {
        do {
            try await credentials.update(id: id) { $0.lockedUntil = nil; $0.failedAttempts = 0 }
        } catch StoreError.notFound {
            throw Refusal.invalidCredentials
        }
        await record(.otpCredentialUnlocked, subject: id, detail: "unlocked by operator \(operatorName)", client: nil)
    }

    // MARK: Shared steps

    /// Verifies ID and password with the lockout rules; returns the credential.
    func checkPassword(id: String, password: String, client: String?) async throws -> OTPCredential {
        let now = clock.now()
        guard let credential = try await credentials.find(id: id) else {
            _ = hasher.verify(password, encoded: dummyHash)
            throw Refusal.invalidCredentials
        }
        if let until = credential.lockedUntil, until > now { throw Refusal.locked(until: until) }
        guard hasher.verify(password, encoded: credential.passwordHash) else {
            let maxFailures = max(1, policy.maxPasswordFailures)
            let lockout = policy.lockout
            let updated = try await credentials.update(id: id) { stored in
                if let until = stored.lockedUntil, until > now { return }
                stored.failedAttempts += 1
                if stored.failedAttempts >= maxFailures {
                    stored.failedAttempts = 0
                    stored.lockedUntil = now.addingTimeInterval(lockout)
                }
            }
            if let until = updated.lockedUntil, until > now {
                await record(.credentialLocked, subject: credential.citizen.value,
                             detail: "otp-sms credential \(id) locked until \(until) after \(maxFailures) wrong passwords", client: client)
                throw Refusal.locked(until: until)
            }
            throw Refusal.invalidCredentials
        }
        return credential
    }

    /// Generates a code, stores its hash for `flowID` and sends it. Returns the masked number.
    func sendCode(flowID: String, purpose: SMSCodePurpose, credential: OTPCredential, client: String?,
                  keeping previous: SMSChallenge? = nil) async throws -> String {
        guard let number = credential.mobilePhone, !number.isEmpty else { throw Refusal.disabled }
        let code = random.digits(policy.codeLength)
        let now = clock.now()
        var challenge = SMSChallenge(id: flowID, purpose: purpose, credentialID: credential.id, codeHash: SHA256Hex.of(code),
                                     created: now, lifetime: policy.codeLifetime, maxAttempts: policy.maxCodeAttempts)
        if let previous {
            challenge.sends = previous.sends + 1
            challenge.pendingPasswordHash = previous.pendingPasswordHash
        }
        let minutes = Int(policy.codeLifetime / 60)
        let text = switch purpose {
        case .login: SMSTexts.loginCode(code, minutes: minutes)
        case .firstAccess: SMSTexts.firstAccessCode(code, minutes: minutes)
        case .recovery: SMSTexts.recoveryCode(code, minutes: minutes)
        }
        try await stores.challenges.save(challenge)
        try await deliver(to: number, text: text, subject: credential.citizen.value, client: client)
        return Self.masked(number)
    }

    /// Sends an SMS within the pumping caps (per number, per IP, global per hour), auditing the outcome.
    func deliver(to number: String, text: String, subject: String, client: String?) async throws {
        try await limit("sms-number:\(number)", max: policy.smsPerNumberPerHour, subject: subject, client: client)
        try await limit("sms-ip:\(client ?? "-")", max: policy.smsPerIPPerHour, subject: subject, client: client)
        try await limit("sms-global", max: policy.smsGlobalPerHour, subject: subject, client: client)
        do {
            try await gateway.send(to: number, text: text)
            await record(.otpSMSSent, subject: subject, detail: "SMS to \(Self.masked(number))", client: client)
        } catch {
            await record(.otpSMSFailed, subject: subject, detail: "SMS to \(Self.masked(number)) failed: \(error)", client: client)
            throw Refusal.smsUnavailable
        }
    }

    /// Checks `code` against the flow's stored hash and consumes it, all in one store transaction.
    /// Returns the credential ID.
    func consume(flowID: String, purpose: SMSCodePurpose, code: String) async throws -> String {
        let submitted = code.filter { !$0.isWhitespace }
        guard !submitted.isEmpty else { throw Refusal.missingInput }
        let now = clock.now()
        let hash = SHA256Hex.of(submitted)
        let outcome: SMSChallenge
        do {
            outcome = try await stores.challenges.update(id: flowID) { challenge in
                guard challenge.purpose == purpose, !challenge.consumed, challenge.expires > now,
                      challenge.attempts < challenge.maxAttempts else { throw Refusal.codeExpired }
                if ConstantTime.equal(hash, challenge.codeHash) && challenge.credentialID != nil {
                    challenge.consumed = true
                } else {
                    challenge.attempts += 1
                    if challenge.attempts >= challenge.maxAttempts { challenge.consumed = true }
                }
            }
        } catch StoreError.notFound {
            throw Refusal.codeExpired
        }
        // The closure refuses consumed challenges, so a match here is this call's own, single use.
        if ConstantTime.equal(hash, outcome.codeHash), let id = outcome.credentialID { return id }
        if outcome.consumed { throw Refusal.codeExpired }
        throw Refusal.wrongCode(remaining: outcome.maxAttempts - outcome.attempts)
    }

    /// Counts one action against an hourly limit; throws `.tooManyRequests` (audited) past it.
    func limit(_ key: String, max: Int, subject: String, client: String?) async throws {
        let now = clock.now()
        let windowEnd = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600 + 3600)
        let count = try await stores.counters.increment(key, windowEnd: windowEnd, now: now)
        if count > max {
            if count == max + 1 {
                await record(.otpRateLimited, subject: subject, detail: "limit \(max)/h reached for \(key)", client: client)
            }
            throw Refusal.tooManyRequests
        }
    }

    func record(_ kind: AuditEvent.Kind, subject: String?, detail: String, client: String?) async {
        try? await audit.append(AuditEvent(time: clock.now(), kind: kind, subject: subject, detail: detail, clientAddress: client))
    }

    // MARK: Helpers

    /// `+39 333 123 4567` and `3331234567` both become `+393331234567`.
    public static func normalizedMobile(_ text: String) -> String {
        var digits = text.filter { !$0.isWhitespace && $0 != "-" && $0 != "." && $0 != "/" }
        if digits.hasPrefix("0039") { digits = "+39" + digits.dropFirst(4) }
        if !digits.hasPrefix("+") && digits.first == "3" && digits.count == 10 { digits = "+39" + digits }
        return digits
    }

    /// `+393331234567` -> `+39 ••• ••• 4567`.
    public static func masked(_ number: String) -> String {
        "\(number.prefix(3)) ••• ••• \(number.suffix(4))"
    }

    /// 10 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
    static let temporaryAlphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789")

    public static func temporaryPassword(_ random: any RandomSource) -> String {
        var result = ""
        let limit = 256 - 256 % temporaryAlphabet.count
        while result.count < 10 {
            for byte in random.bytes(16) where Int(byte) < limit && result.count < 10 {
                result.append(temporaryAlphabet[Int(byte) % temporaryAlphabet.count])
            }
        }
        return result
    }
}
