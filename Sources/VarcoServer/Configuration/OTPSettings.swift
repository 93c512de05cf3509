import Foundation
import VarcoOTP

/// Regional OTP credentials: the policy (dates, code rules, limits) and where SMS go.
public struct OTPSettings: Sendable {
    public var policy: OTPPolicy
    /// The SMS provider's webhook; without it SMS are only kept in the outbox (demo and tests).
    public var webhook: WebhookSMSGateway.Configuration?

    public init(policy: OTPPolicy = OTPPolicy(), webhook: WebhookSMSGateway.Configuration? = nil) {
        self.policy = policy
        self.webhook = webhook
    }
}
