import Foundation
import VarcoCore
import VarcoOTP

/// Command-line administration of regional OTP credentials and counter operators.
extension Administration {
    /// Adds a counter operator and returns its bearer token, which is stored only as a SHA-256 hash.
    public func addOperator(name: String) async throws -> String {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw Failure("the operator name must be 1-64 letters, digits, '-', '_' or '.'")
        }
        let token = random.token()
        do {
            try await stores.otp.operators.insert(OTPOperator(name: name, tokenHash: SHA256Hex.of(token), created: clock.now()))
        } catch StoreError.duplicate {
            throw Failure("an operator named \(name) already exists")
        }
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .otpOperatorAdded, subject: "cli", detail: "operator \(name) added"))
        return token
    }

    /// The OTP service as the command line uses it: SMS go to the configured webhook, or wait in the outbox.
    public func regionalOTP(policy: OTPPolicy, webhook: WebhookSMSGateway.Configuration?) -> RegionalOTP {
        var configuration = ServerConfiguration()
        configuration.otp = OTPSettings(policy: policy, webhook: webhook)
        return RegionalOTP.make(configuration: configuration, stores: stores, clock: clock, random: random)
    }
}
