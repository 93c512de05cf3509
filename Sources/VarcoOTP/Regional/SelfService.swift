import Foundation
import VarcoCore

/// What the holder does from the profile page, after a verified login: change the password, deactivate the
/// credential.
extension RegionalOTP {
    /// Changes the password: the current one (wrong ones count towards the lockout), then the new one twice,
    /// under the password policy.
    public func changePassword(id: String, current: String, new password: String, confirmation: String,
                               client: String?) async throws {
        guard !current.isEmpty, !password.isEmpty else { throw Refusal.missingInput }
        let credential = try await checkPassword(id: id, password: current, client: client)
        guard credential.status == .active, credential.deactivated == nil else { throw Refusal.disabled }
        let violations = passwordPolicy.violations(password, confirmation: confirmation,
                                                   identifiers: [credential.id, credential.citizen.value, credential.cardNumber ?? ""],
                                                   previousHashes: [credential.passwordHash] + (credential.passwordHistory ?? []),
                                                   hasher: hasher)
        guard violations.isEmpty else { throw Refusal.weakPassword(violations) }
        let hash = try hasher.hash(password)
        let historySize = passwordPolicy.historySize
        let previous = credential.passwordHash
        try await credentials.update(id: id) { stored in
            // Changed meanwhile by another request: that change stands.
            guard stored.passwordHash == previous else { throw Refusal.invalidCredentials }
            stored.passwordHistory = Array(([stored.passwordHash] + (stored.passwordHistory ?? [])).prefix(historySize))
            stored.passwordHash = hash
            stored.failedAttempts = 0
        }
        // During a card replacement the old and the new ID share the password.
        let twins = [credential.replaces, credential.replacementCompleted == nil ? credential.replacedBy : nil].compactMap { $0 }
        for twin in twins {
            _ = try? await credentials.update(id: twin) { stored in
                stored.passwordHistory = Array(([stored.passwordHash] + (stored.passwordHistory ?? [])).prefix(historySize))
                stored.passwordHash = hash
            }
        }
        await record(.otpPasswordChanged, subject: credential.citizen.value, detail: "otp credential \(id): password changed by the holder",
                     client: client)
    }

    /// Deactivates the credential for good: no more OTP logins (SMS or app); SPID, CIE and CNS remain.
    public func deactivate(id: String, by operatorName: String?, client: String?) async throws {
        let now = clock.now()
        let updated: OTPCredential
        do {
            updated = try await credentials.update(id: id) { stored in
                stored.status = .disabled
                stored.deactivated = stored.deactivated ?? now
                stored.totpSecret = nil
                stored.pendingTOTPSecret = nil
                stored.recoveryCodeHashes = nil
            }
        } catch StoreError.notFound {
            throw Refusal.invalidCredentials
        }
        let who = operatorName.map { "by operator \($0)" } ?? "by the holder"
        await record(.otpCredentialDeactivated, subject: updated.citizen.value, detail: "otp credential \(id) deactivated \(who)",
                     client: client)
    }
}
