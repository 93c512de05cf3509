import Foundation

/// SMS codes, keyed by the flow id.
public protocol SMSChallengeStore: Sendable {
    /// Inserts or replaces the challenge with the same id.
    func save(_ challenge: SMSChallenge) async throws
    func find(id: String) async throws -> SMSChallenge?
    /// Applies `change` inside one transaction; throws `StoreError.notFound` if absent.
    @discardableResult
    func update(id: String, _ change: @Sendable (inout SMSChallenge) throws -> Void) async throws -> SMSChallenge
    func delete(id: String) async throws
    func deleteExpired(before cutoff: Date) async throws -> Int
}

/// Every SMS handed to a gateway, with its delivery outcome. The demo shows it at `/demo/sms`.
public protocol SMSOutboxStore: Sendable {
    func append(_ message: SMSMessage) async throws
    @discardableResult
    func update(id: String, _ change: @Sendable (inout SMSMessage) throws -> Void) async throws -> SMSMessage
    /// The newest first.
    func recent(limit: Int) async throws -> [SMSMessage]
}

/// Fixed-window counters for rate limits and SMS-pumping caps.
public protocol RateCounterStore: Sendable {
    /// Adds one to the counter `key` for the window ending at `windowEnd` and returns the new count.
    /// Atomic across concurrent callers.
    func increment(_ key: String, windowEnd: Date, now: Date) async throws -> Int
    /// The current count of `key` (0 if absent or expired).
    func count(_ key: String, now: Date) async throws -> Int
    /// Forgets the counter (an operator unlock).
    func reset(_ key: String) async throws
}

/// Counter operators, keyed by name, found by the hash of their token.
public protocol OTPOperatorStore: Sendable {
    /// Throws `StoreError.duplicate` if the name is taken.
    func insert(_ otpOperator: OTPOperator) async throws
    func find(tokenHash: String) async throws -> OTPOperator?
    func list() async throws -> [OTPOperator]
}

/// The stores of the regional OTP credential life cycle.
public struct OTPStores: Sendable {
    public var challenges: any SMSChallengeStore
    public var outbox: any SMSOutboxStore
    public var counters: any RateCounterStore
    public var operators: any OTPOperatorStore

    public init(challenges: any SMSChallengeStore, outbox: any SMSOutboxStore, counters: any RateCounterStore,
                operators: any OTPOperatorStore) {
        self.challenges = challenges
        self.outbox = outbox
        self.counters = counters
        self.operators = operators
    }
}
