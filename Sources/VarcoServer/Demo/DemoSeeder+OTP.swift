import Foundation
import VarcoCore
import VarcoOTP

/// The demo's regional OTP data: the demo citizen's credential also receives SMS codes (shown at `/demo/sms`),
/// and a counter operator with a published token may issue credentials through the API.
extension DemoSeeder {
    static let demoOperator = "demo-sportello"
    /// Demo only: a published token. Real operators get a random one from `varco operator add`.
    static let demoOperatorToken = "demo-operator-token-not-secret"

    func seedRegionalOTP() async throws {
        let mobile = Self.citizen.mobilePhone
        if let credential = try await stores.otpCredentials.find(id: Self.otpID), credential.mobilePhone == nil {
            try await stores.otpCredentials.update(id: Self.otpID) { stored in
                stored.mobilePhone = mobile
                stored.birthDate = Self.citizen.dateOfBirth
                stored.holder = .adult
            }
        }
        if try await stores.otp.operators.find(tokenHash: SHA256Hex.of(Self.demoOperatorToken)) == nil {
            try? await stores.otp.operators.insert(OTPOperator(name: Self.demoOperator, tokenHash: SHA256Hex.of(Self.demoOperatorToken),
                                                               created: clock.now()))
        }
    }
}
