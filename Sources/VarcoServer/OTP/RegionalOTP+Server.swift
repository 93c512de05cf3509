import Foundation
import VarcoCore
import VarcoOTP

extension RegionalOTP {
    /// The service as configured: the webhook gateway when one is set, otherwise the outbox only.
    static func make(configuration: ServerConfiguration, stores: Stores, clock: any WallClock, random: any RandomSource) -> RegionalOTP {
        let gateway: any SMSGateway = configuration.otp.webhook.map {
            WebhookSMSGateway(configuration: $0, outbox: stores.otp.outbox, clock: clock, random: random)
        } ?? OutboxSMSGateway(outbox: stores.otp.outbox, clock: clock, random: random)
        return RegionalOTP(credentials: stores.otpCredentials, citizens: stores.citizens, stores: stores.otp, audit: stores.audit,
                           gateway: gateway, clock: clock, random: random, policy: configuration.otp.policy)
    }
}

/// The page model of every regional-OTP form: fields with their own errors, links, an optional resend button.
struct OTPFormPage: PageModel {
    struct Field: Sendable {
        let id: String
        let label: String
        var type = "text"
        var value = ""
        var hint: String?
        var error: String?
        var inputmode: String?
        var autocomplete = "off"
        var autofocus = false
    }
    struct Link: Sendable { let href: String; let label: String }

    let serviceName: String
    let title: String
    var intro: String?
    var notice: String?
    var error: String?
    var secret: String?
    let action: String
    let csrf: String
    var fields: [Field]
    var submit: String
    var links: [Link] = []
    var resendAction: String?
    var resendFlow: String?
    let cancelAction: String
}

struct DemoSMSPage: PageModel {
    struct Message: Sendable { let time: String; let to: String; let text: String; let status: String }
    let messages: [Message]
    let hasMessages: Bool
}
