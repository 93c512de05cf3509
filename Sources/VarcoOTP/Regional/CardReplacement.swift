import Foundation
import VarcoCore

/// Card replacement: a new health card has a new identification number, hence a new OTP ID. An operator
/// registers it; until the holder signs in with the new ID both IDs work (same password, phone and app);
/// the first login with the new ID retires the old one.
extension RegionalOTP {
    /// Registers the new card's 20-digit identification number for the credential `id` (operator action).
    /// Returns the new ID.
    public func replaceCard(id: String, newCardNumber: String, by operatorName: String, client: String?) async throws -> String {
        let card = newCardNumber.filter { !$0.isWhitespace }
        guard card.utf8.count == 20, card.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw IssuanceRefused(problems: ["il numero di identificazione della nuova tessera deve avere 20 cifre (campo 8 sul retro della TS-CNS)"])
        }
        let newID = String(card.suffix(10))
        guard let old = try await credentials.find(id: id) else {
            throw IssuanceRefused(problems: ["nessuna credenziale con ID \(id)"])
        }
        guard old.deactivated == nil, old.status != .disabled, old.replacementCompleted == nil else {
            throw IssuanceRefused(problems: ["le credenziali con ID \(id) sono disattivate o già sostituite"])
        }
        guard newID != id else {
            throw IssuanceRefused(problems: ["la nuova tessera ha lo stesso ID \(id) della precedente"])
        }
        var replacement = OTPCredential(id: newID, citizen: old.citizen, passwordHash: old.passwordHash, totpSecret: old.totpSecret,
                                    status: old.status, created: clock.now())
        replacement.lastTOTPStep = old.lastTOTPStep
        replacement.mobilePhone = old.mobilePhone
        replacement.cardNumber = card
        replacement.birthDate = old.birthDate
        replacement.holder = old.holder
        replacement.representative = old.representative
        replacement.decree = old.decree
        replacement.issuedBy = operatorName
        replacement.passwordHistory = old.passwordHistory
        replacement.recoveryCodeHashes = old.recoveryCodeHashes
        replacement.replaces = id
        do { try await credentials.insert(replacement) } catch StoreError.duplicate {
            throw IssuanceRefused(problems: ["esistono già credenziali OTP con ID \(newID)"])
        }
        try await credentials.update(id: id) { $0.replacedBy = newID }
        await record(.otpCardReplaced, subject: old.citizen.value,
                     detail: "otp credential \(id): new card registered by operator \(operatorName), new ID \(newID)", client: client)
        return newID
    }

    /// After a successful login with `id`: if it is a new card's ID, the old card's ID is retired for good.
    public func completeCardReplacement(afterLoginWith id: String, client: String?) async throws {
        guard let credential = try await credentials.find(id: id), let oldID = credential.replaces else { return }
        let now = clock.now()
        try await credentials.update(id: oldID) { stored in
            stored.replacementCompleted = stored.replacementCompleted ?? now
            stored.status = .disabled
            stored.totpSecret = nil
            stored.pendingTOTPSecret = nil
            stored.recoveryCodeHashes = nil
        }
        try await credentials.update(id: id) { $0.replaces = nil }
        await record(.otpCardReplaced, subject: credential.citizen.value,
                     detail: "otp credential \(oldID) retired after the first login with the new card's ID \(id)", client: client)
    }
}
