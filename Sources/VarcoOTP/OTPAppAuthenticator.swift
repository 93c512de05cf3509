import Foundation
import VarcoCore

/// "OTP cohesion": a regional OTP ID (10 digits), its password and a 6-digit TOTP code from an
/// authenticator app. Proves SpidL2; when a request accepts only SpidL1 the login engine states the
/// lower level (`LoginRequirement.levelToAssert(for:)`).
///
/// Failures never say which of ID, password and code was wrong. An unknown ID costs the same
/// Argon2id verification as a known one. Wrong passwords, wrong codes and replayed codes count
/// towards a lockout; a success resets the count. Each TOTP step is accepted at most once per
/// credential, enforced inside the store's transaction.
public struct OTPAppAuthenticator: Authenticator {
    /// Lockout rules.
    public struct Policy: Sendable, Equatable {
        /// Consecutive failures that lock the credential (at least 1).
        public var maxFailures: Int
        /// How long a lock lasts, in seconds.
        public var lockout: TimeInterval

        public init(maxFailures: Int = 5, lockout: TimeInterval = 15 * 60) {
            self.maxFailures = maxFailures
            self.lockout = lockout
        }
    }

    public let descriptor = AuthenticatorDescriptor(method: .otpApp, levels: [.spidL2])
    public let policy: Policy

    private let store: any OTPCredentialStore
    private let clock: any WallClock
    private let hasher: PasswordHasher
    /// Verified against when the ID is unknown, so that the answer takes as long as for a known ID.
    private let dummyHash: String

    /// Length of the OTP ID and of the TOTP code.
    static let idLength = 10
    static let codeLength = 6

    /// Creates the authenticator. Computes one Argon2id hash with `hasher`'s parameters (the
    /// stand-in for unknown IDs), so create it once, not per request.
    public init(store: any OTPCredentialStore, clock: any WallClock = SystemWallClock(),
                hasher: PasswordHasher = PasswordHasher(), policy: Policy = Policy()) {
        self.store = store
        self.clock = clock
        self.hasher = hasher
        self.policy = policy
        self.dummyHash = Self.makeDummyHash(hasher)
    }

    /// Checks the three secrets and, on success, records the login and the TOTP step used.
    ///
    /// - Parameters:
    ///   - id: the 10-digit OTP ID; surrounding whitespace is ignored.
    ///   - password: the password, as typed.
    ///   - code: the 6-digit code; whitespace inside it (as apps display "123 456") is ignored.
    /// - Returns: the citizen, at `.spidL2`, by `.otpApp`, at the clock's current time.
    /// - Throws: `AuthnFailure` for every refused login; the store's own error (such as
    ///   `StoreError.backend`) when storage fails.
    public func authenticate(id: String, password: String, code: String) async throws -> AuthnResult {
        let id = id.trimmingCharacters(in: .whitespacesAndNewlines)
        let code = code.filter { !$0.isWhitespace }
        guard !id.isEmpty, !code.isEmpty, !password.allSatisfy(\.isWhitespace) else {
            throw AuthnFailure.missingInput
        }
        guard Self.isDigits(id, count: Self.idLength) else { throw AuthnFailure.invalidCredentials }
        if !Self.isDigits(code, count: Self.codeLength) {
            guard RecoveryCodes.looksLikeCode(code) else { throw AuthnFailure.invalidCredentials }
            return try await authenticate(id: id, password: password, recoveryCode: code)
        }
        let now = clock.now()

        guard let credential = try await store.find(id: id) else {
            // Same work as for a known ID: no enumeration of IDs by timing.
            _ = hasher.verify(password, encoded: dummyHash)
            _ = TOTP(secret: Self.dummySecret).verify(code, at: now)
            throw AuthnFailure.invalidCredentials
        }
        if let until = credential.lockedUntil, until > now {
            throw AuthnFailure.locked(until: until)
        }
        // Pending credentials (first access) and those without an enrolled app belong to other flows.
        guard credential.status == .active, credential.deactivated == nil, let secret = credential.totpSecret, !secret.isEmpty else {
            throw AuthnFailure.disabled
        }

        let passwordMatches = hasher.verify(password, encoded: credential.passwordHash)
        let matchedStep = TOTP(secret: secret, digits: Self.codeLength)
            .verify(code, at: now, after: credential.lastTOTPStep)
        guard passwordMatches, let step = matchedStep else {
            try await recordFailure(id: id, now: now)
        }

        return try await succeed(id: id, now: now) { stored in
            // A concurrent login with this code (or a later one) got there first.
            if let last = stored.lastTOTPStep, last >= step { throw Refusal.replayed }
            stored.lastTOTPStep = step
        }
    }

    /// A recovery code in place of the TOTP code: accepted once, removed inside the store's transaction.
    private func authenticate(id: String, password: String, recoveryCode: String) async throws -> AuthnResult {
        let now = clock.now()
        let hash = RecoveryCodes.hash(recoveryCode)
        guard let credential = try await store.find(id: id) else {
            _ = hasher.verify(password, encoded: dummyHash)
            throw AuthnFailure.invalidCredentials
        }
        if let until = credential.lockedUntil, until > now { throw AuthnFailure.locked(until: until) }
        guard credential.status == .active, credential.deactivated == nil, let secret = credential.totpSecret, !secret.isEmpty else {
            throw AuthnFailure.disabled
        }
        let passwordMatches = hasher.verify(password, encoded: credential.passwordHash)
        let codeKnown = (credential.recoveryCodeHashes ?? []).contains { ConstantTime.equal($0, hash) }
        guard passwordMatches, codeKnown else { try await recordFailure(id: id, now: now) }
        return try await succeed(id: id, now: now) { stored in
            var remaining = stored.recoveryCodeHashes ?? []
            // Used meanwhile by a concurrent login: a recovery code opens one door.
            guard let index = remaining.firstIndex(where: { ConstantTime.equal($0, hash) }) else { throw Refusal.replayed }
            remaining.remove(at: index)
            stored.recoveryCodeHashes = remaining
        }
    }

    /// Records a successful proof in one store transaction: re-checks the lock and status, lets `consume` use up
    /// the second factor (throwing `Refusal.replayed` if a concurrent login used it first), resets the failures.
    private func succeed(id: String, now: Date,
                         consume: @escaping @Sendable (inout OTPCredential) throws -> Void) async throws -> AuthnResult {
        do {
            let updated = try await store.update(id: id) { stored in
                if let until = stored.lockedUntil, until > now { throw Refusal.locked(until: until) }
                guard stored.status == .active else { throw Refusal.disabled }
                try consume(&stored)
                stored.failedAttempts = 0
                stored.lockedUntil = nil
                stored.lastLogin = now
            }
            return AuthnResult(citizen: updated.citizen, level: .spidL2, method: .otpApp, instant: now)
        } catch let refusal as Refusal {
            switch refusal {
            case .locked(let until): throw AuthnFailure.locked(until: until)
            case .disabled: throw AuthnFailure.disabled
            case .replayed: try await recordFailure(id: id, now: now)
            }
        } catch StoreError.notFound {
            throw AuthnFailure.invalidCredentials
        }
    }

    /// Counts a failure, locking the credential when the count reaches `maxFailures`, then throws
    /// `.locked` if the credential is now locked, `.invalidCredentials` otherwise.
    private func recordFailure(id: String, now: Date) async throws -> Never {
        let maxFailures = max(1, policy.maxFailures)
        let lockout = policy.lockout
        let updated: OTPCredential
        do {
            updated = try await store.update(id: id) { stored in
                // Locked meanwhile by a concurrent failure: that lock stands, nothing to count.
                if let until = stored.lockedUntil, until > now { return }
                stored.failedAttempts += 1
                if stored.failedAttempts >= maxFailures {
                    stored.failedAttempts = 0
                    stored.lockedUntil = now.addingTimeInterval(lockout)
                }
            }
        } catch StoreError.notFound {
            throw AuthnFailure.invalidCredentials
        }
        if let until = updated.lockedUntil, until > now {
            throw AuthnFailure.locked(until: until)
        }
        throw AuthnFailure.invalidCredentials
    }

    /// Why the success transaction refused to record the login.
    private enum Refusal: Error {
        case locked(until: Date)
        case disabled
        case replayed
    }

    private static let dummyPassword = "varco-unknown-id-placeholder"
    private static let dummySecret = [UInt8](repeating: 0, count: 20)

    private static func makeDummyHash(_ hasher: PasswordHasher) -> String {
        if let hash = try? hasher.hash(dummyPassword) { return hash }
        // Only if `hasher`'s parameters are unusable, in which case no stored hash uses them either.
        let fallback = PasswordHasher(parameters: .default, random: hasher.random)
        return (try? fallback.hash(dummyPassword)) ?? ""
    }

    private static func isDigits(_ text: String, count: Int) -> Bool {
        let bytes = text.utf8
        return bytes.count == count && bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
