import Foundation
import VarcoCore

/// What the citizen needs to add the credential to an authenticator app: the `otpauth://` URI (shown as a
/// QR code) and the same secret in base32 for typing by hand.
public struct AppEnrollment: Sendable, Equatable {
    public let id: String
    public let secretBase32: String
    public let uri: String
}

/// Recovery codes of the authenticator app: each replaces one TOTP code, once.
public enum RecoveryCodes {
    public static let count = 10
    /// Lower-case letters and digits without look-alikes.
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    /// `count` codes such as `k7m2q-9xwpa`.
    public static func generate(_ random: any RandomSource, count: Int = RecoveryCodes.count) -> [String] {
        let limit = 256 - 256 % alphabet.count
        return (0..<count).map { _ in
            var code = ""
            while code.count < 10 {
                for byte in random.bytes(16) where Int(byte) < limit && code.count < 10 {
                    code.append(alphabet[Int(byte) % alphabet.count])
                }
            }
            return String(code.prefix(5)) + "-" + String(code.suffix(5))
        }
    }

    /// The form a recovery code is hashed in: lower case, no spaces or hyphens.
    public static func normalized(_ text: String) -> String {
        String(text.lowercased().filter { $0 != "-" && !$0.isWhitespace })
    }

    /// Whether `text` has the shape of a recovery code (10 characters of the alphabet once normalized).
    public static func looksLikeCode(_ text: String) -> Bool {
        let code = normalized(text)
        return code.count == 10 && code.allSatisfy { alphabet.contains($0) }
    }

    public static func hash(_ text: String) -> String { SHA256Hex.of(normalized(text)) }
}

extension RegionalOTP {
    /// The `otpauth://` URI of an authenticator-app secret: issuer Varco, label with the OTP ID, SHA1, 6 digits, 30 s.
    public static func otpauthURI(secret: [UInt8], id: String) -> String {
        let base32 = Base32.encode(secret, padding: false)
        return "otpauth://totp/Varco:\(id)?secret=\(base32)&issuer=Varco&algorithm=SHA1&digits=6&period=30"
    }

    /// Starts (or restarts) the enrollment of an authenticator app on an active credential: a fresh 160-bit
    /// secret waits in the credential for its first code. Called only after a verified login of the holder.
    public func startAppEnrollment(id: String) async throws -> AppEnrollment {
        let secret = random.bytes(20)
        do {
            try await credentials.update(id: id) { stored in
                guard stored.status == .active, stored.deactivated == nil else { throw Refusal.disabled }
                stored.pendingTOTPSecret = secret
            }
        } catch StoreError.notFound {
            throw Refusal.invalidCredentials
        }
        return AppEnrollment(id: id, secretBase32: Base32.encode(secret, padding: false),
                             uri: Self.otpauthURI(secret: secret, id: id))
    }

    /// The enrollment waiting for its first code, if any (to show the same QR code again).
    public func pendingAppEnrollment(id: String) async throws -> AppEnrollment? {
        guard let secret = try await credentials.find(id: id)?.pendingTOTPSecret else { return nil }
        return AppEnrollment(id: id, secretBase32: Base32.encode(secret, padding: false), uri: Self.otpauthURI(secret: secret, id: id))
    }

    /// Confirms the enrollment with the first code from the app: the secret becomes the credential's, and
    /// 10 recovery codes are returned (to be shown once; only their hashes are kept).
    public func confirmAppEnrollment(id: String, code: String, client: String?) async throws -> [String] {
        let submitted = code.filter { !$0.isWhitespace }
        guard !submitted.isEmpty else { throw Refusal.missingInput }
        guard let credential = try await credentials.find(id: id), let secret = credential.pendingTOTPSecret else {
            throw Refusal.codeExpired
        }
        let now = clock.now()
        guard let step = TOTP(secret: secret).verify(submitted, at: now) else { throw Refusal.wrongCode(remaining: 1) }
        let codes = RecoveryCodes.generate(random)
        let hashes = codes.map(RecoveryCodes.hash)
        let updated = try await credentials.update(id: id) { stored in
            guard stored.pendingTOTPSecret == secret else { throw Refusal.codeExpired }
            stored.totpSecret = secret
            stored.pendingTOTPSecret = nil
            stored.lastTOTPStep = step
            stored.recoveryCodeHashes = hashes
        }
        await record(.otpAppEnrolled, subject: updated.citizen.value, detail: "authenticator app enrolled on credential \(id)",
                     client: client)
        return codes
    }

    /// Removes the authenticator app (by the holder, or by an operator when `operatorName` is set): secret,
    /// pending enrollment and recovery codes are erased; `otp-app` logins stop until a new enrollment.
    public func removeApp(id: String, by operatorName: String?, client: String?) async throws {
        let updated: OTPCredential
        do {
            updated = try await credentials.update(id: id) { stored in
                stored.totpSecret = nil
                stored.pendingTOTPSecret = nil
                stored.lastTOTPStep = nil
                stored.recoveryCodeHashes = nil
            }
        } catch StoreError.notFound {
            throw Refusal.invalidCredentials
        }
        let who = operatorName.map { "by operator \($0)" } ?? "by the holder"
        await record(.otpAppRemoved, subject: updated.citizen.value, detail: "authenticator app removed from credential \(id) \(who)",
                     client: client)
    }
}
