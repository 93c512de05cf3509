import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import VarcoCore

/// Where SMS go. Every implementation records the message and its outcome in the outbox.
public protocol SMSGateway: Sendable {
    /// Delivers `text` to `number` (E.164). Throws `SMSDeliveryFailure` when the message could not be handed over.
    func send(to number: String, text: String) async throws
}

public struct SMSDeliveryFailure: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Keeps every SMS in the outbox only: for the demo, whose page `/demo/sms` shows them, and for tests.
public struct OutboxSMSGateway: SMSGateway {
    let outbox: any SMSOutboxStore
    let clock: any WallClock
    let random: any RandomSource

    public init(outbox: any SMSOutboxStore, clock: any WallClock, random: any RandomSource = SystemRandomSource()) {
        self.outbox = outbox
        self.clock = clock
        self.random = random
    }

    public func send(to number: String, text: String) async throws {
        try await outbox.append(SMSMessage(id: random.token(byteCount: 12), to: number, text: text, created: clock.now(),
                                           status: .sent, attempts: 1))
    }
}

/// Posts each SMS as JSON to an HTTP webhook (the SMS provider's API or a relay), with retries and backoff.
///
/// The body is `bodyTemplate` with `{{to}}` and `{{text}}` replaced by the JSON-escaped values (quotes included),
/// e.g. `{"to": {{to}}, "message": {{text}}}`. A 2xx answer is a delivery; anything else, or no answer
/// within `timeout`, is retried up to `retries` more times, waiting `backoff`, then twice as long, and so on.
public struct WebhookSMSGateway: SMSGateway {
    public struct Configuration: Sendable, Equatable {
        public var url: URL
        /// A header added to each request, e.g. ("Authorization", "Bearer ...").
        public var authHeader: (name: String, value: String)?
        public var bodyTemplate: String
        public var timeout: TimeInterval
        public var retries: Int
        public var backoff: TimeInterval

        public init(url: URL, authHeader: (name: String, value: String)? = nil,
                    bodyTemplate: String = #"{"to": {{to}}, "text": {{text}}}"#, timeout: TimeInterval = 10,
                    retries: Int = 2, backoff: TimeInterval = 1) {
            self.url = url
            self.authHeader = authHeader
            self.bodyTemplate = bodyTemplate
            self.timeout = timeout
            self.retries = retries
            self.backoff = backoff
        }

        public static func == (lhs: Configuration, rhs: Configuration) -> Bool {
            lhs.url == rhs.url && lhs.authHeader?.name == rhs.authHeader?.name && lhs.authHeader?.value == rhs.authHeader?.value
                && lhs.bodyTemplate == rhs.bodyTemplate && lhs.timeout == rhs.timeout && lhs.retries == rhs.retries
                && lhs.backoff == rhs.backoff
        }
    }

    /// Sends one HTTP request; returns the status code. Replaced in tests.
    public typealias Transport = @Sendable (URLRequest) async throws -> Int

    let configuration: Configuration
    let outbox: any SMSOutboxStore
    let clock: any WallClock
    let random: any RandomSource
    let transport: Transport
    let sleep: @Sendable (TimeInterval) async -> Void

    public init(configuration: Configuration, outbox: any SMSOutboxStore, clock: any WallClock,
                random: any RandomSource = SystemRandomSource(), transport: Transport? = nil,
                sleep: (@Sendable (TimeInterval) async -> Void)? = nil) {
        self.configuration = configuration
        self.outbox = outbox
        self.clock = clock
        self.random = random
        self.transport = transport ?? Self.urlSession
        self.sleep = sleep ?? { seconds in try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) }
    }

    public func send(to number: String, text: String) async throws {
        let id = random.token(byteCount: 12)
        try await outbox.append(SMSMessage(id: id, to: number, text: text, created: clock.now()))
        var request = URLRequest(url: configuration.url, timeoutInterval: configuration.timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let header = configuration.authHeader { request.setValue(header.value, forHTTPHeaderField: header.name) }
        request.httpBody = Data(body(to: number, text: text).utf8)
        var lastError = ""
        var delay = configuration.backoff
        for attempt in 0...max(0, configuration.retries) {
            if attempt > 0 {
                await sleep(delay)
                delay *= 2
            }
            do {
                let status = try await transport(request)
                if (200..<300).contains(status) {
                    try await outbox.update(id: id) { $0.status = .sent; $0.attempts = attempt + 1; $0.error = nil }
                    return
                }
                lastError = "HTTP \(status)"
            } catch {
                lastError = "\(error)"
            }
            try await outbox.update(id: id) { [lastError] in $0.attempts = attempt + 1; $0.error = lastError }
        }
        try await outbox.update(id: id) { $0.status = .failed }
        throw SMSDeliveryFailure("SMS webhook \(configuration.url.host ?? "?") failed after \(configuration.retries + 1) attempts: \(lastError)")
    }

    func body(to number: String, text: String) -> String {
        configuration.bodyTemplate.replacingOccurrences(of: "{{to}}", with: Self.jsonString(number))
            .replacingOccurrences(of: "{{text}}", with: Self.jsonString(text))
    }

    static func jsonString(_ value: String) -> String {
        let data = (try? JSONEncoder().encode(value)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static let urlSession: Transport = { request in
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}

/// The Italian texts of the SMS Varco sends.
public enum SMSTexts {
    public static func loginCode(_ code: String, minutes: Int) -> String {
        "Regione - accesso ai servizi: il tuo codice usa e getta è \(code). Vale \(minutes) minuti. Non comunicarlo a nessuno."
    }
    public static func firstAccessCode(_ code: String, minutes: Int) -> String {
        "Regione - primo accesso: il codice per confermare la nuova password è \(code). Vale \(minutes) minuti."
    }
    public static func recoveryCode(_ code: String, minutes: Int) -> String {
        "Regione - recupero password: il codice di verifica è \(code). Vale \(minutes) minuti. Se non l'hai chiesto tu, ignora questo messaggio."
    }
    public static func issuedSecondHalf(_ half: String, id: String) -> String {
        "Regione - credenziali OTP \(id): le ultime 5 cifre della password temporanea sono \(half). Le prime 5 sono sul modulo dello sportello. Cambiala al primo accesso."
    }
    public static func recoverySecondHalf(_ half: String) -> String {
        "Regione - recupero password: le ultime 5 cifre della nuova password temporanea sono \(half). Le prime 5 sono sullo schermo. Cambiala al primo accesso."
    }
}
