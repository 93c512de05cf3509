import Foundation

/// SSO sessions, keyed by their opaque id.
public protocol SessionStore: Sendable {
    func insert(_ session: SSOSession) async throws
    func find(id: String) async throws -> SSOSession?
    /// Applies `change` to the stored record inside one transaction and returns the result.
    /// Throws `StoreError.notFound` if there is no such session.
    @discardableResult
    func update(id: String, _ change: @Sendable (inout SSOSession) throws -> Void) async throws -> SSOSession
    func delete(id: String) async throws
    /// Removes sessions last seen before `cutoff`; returns how many.
    func deleteIdle(lastSeenBefore cutoff: Date) async throws -> Int
    /// Sessions not yet ended (`logout` is nil) that were last seen before `lastSeenBefore` or created before
    /// `createdBefore`, oldest first, at most `limit`: they expired, and single logout must tell their
    /// participants before `deleteIdle` removes them.
    func expired(lastSeenBefore: Date, createdBefore: Date, limit: Int) async throws -> [SSOSession]
}

/// Pending login transactions, keyed by id.
public protocol LoginTransactionStore: Sendable {
    func insert(_ transaction: LoginTransaction) async throws
    func find(id: String) async throws -> LoginTransaction?
    @discardableResult
    func update(id: String, _ change: @Sendable (inout LoginTransaction) throws -> Void) async throws -> LoginTransaction
    func delete(id: String) async throws
    func deleteExpired(before cutoff: Date) async throws -> Int
}

/// Registered SAML service providers and OIDC clients.
public protocol RelyingPartyStore: Sendable {
    /// Inserts or replaces the registration with the same id.
    func save(_ relyingParty: RelyingParty) async throws
    func find(id: String) async throws -> RelyingParty?
    func list() async throws -> [RelyingParty]
    /// Returns false if there was nothing to remove.
    func remove(id: String) async throws -> Bool
    /// Replaces the registration only if the stored one has `expectedVersion` (optimistic concurrency):
    /// throws `StoreError.notFound` if it is gone and `StoreError.duplicate` if someone changed it meanwhile.
    func replace(_ relyingParty: RelyingParty, expectedVersion: Int) async throws
}

extension RelyingPartyStore {
    /// For backends without a transaction around it: compare, then save. A backend with transactions overrides this.
    public func replace(_ relyingParty: RelyingParty, expectedVersion: Int) async throws {
        guard let stored = try await find(id: relyingParty.id) else { throw StoreError.notFound }
        guard stored.version == expectedVersion else { throw StoreError.duplicate }
        try await save(relyingParty)
    }
}

/// Citizens, keyed by codice fiscale.
public protocol CitizenStore: Sendable {
    /// Inserts or replaces the citizen with the same codice fiscale.
    func save(_ citizen: Citizen) async throws
    func find(_ codiceFiscale: CodiceFiscale) async throws -> Citizen?
}

/// OTP credentials, keyed by their 10-digit ID.
public protocol OTPCredentialStore: Sendable {
    /// Throws `StoreError.duplicate` if the ID is taken.
    func insert(_ credential: OTPCredential) async throws
    func find(id: String) async throws -> OTPCredential?
    func find(citizen: CodiceFiscale) async throws -> [OTPCredential]
    @discardableResult
    func update(id: String, _ change: @Sendable (inout OTPCredential) throws -> Void) async throws -> OTPCredential
    /// Issuance: saves the holder in `citizens` and inserts the credential as one transaction, both or neither.
    /// Throws `StoreError.duplicate` (saving nothing) if the ID is taken.
    func insert(_ credential: OTPCredential, savingHolder holder: Citizen, in citizens: any CitizenStore) async throws
}

extension OTPCredentialStore {
    /// For backends whose citizens live elsewhere: the credential first (a taken ID saves nothing), then the holder.
    /// A backend that keeps both in one database overrides this with a single transaction.
    public func insert(_ credential: OTPCredential, savingHolder holder: Citizen, in citizens: any CitizenStore) async throws {
        try await insert(credential)
        try await citizens.save(holder)
    }
}

/// Single-use keys: SAML request IDs, assertion IDs, used codes.
public protocol ReplayCache: Sendable {
    /// Records `key` until `expires`. Returns true the first time, false if it was already recorded
    /// and has not expired. Atomic across concurrent callers (and nodes, for a shared backend).
    func consume(_ key: String, expires: Date, now: Date) async throws -> Bool
}

/// The append-only audit log.
public protocol AuditLog: Sendable {
    func append(_ event: AuditEvent) async throws
    /// The newest events first.
    func recent(limit: Int) async throws -> [AuditEvent]
    /// The newest `limit` events about any of `subjects` (codici fiscali, credential IDs), newest first.
    func recent(subjects: [String], limit: Int) async throws -> [AuditEvent]
    /// The newest `query.limit` events matching the query, newest first.
    func search(_ query: AuditQuery) async throws -> [AuditEvent]
    /// Retention: removes the events older than `cutoff`; returns how many.
    func deleteOlder(than cutoff: Date) async throws -> Int
}

/// Every store Varco needs, as one value handed to the server.
public struct Stores: Sendable {
    public var sessions: any SessionStore
    public var logins: any LoginTransactionStore
    public var relyingParties: any RelyingPartyStore
    public var citizens: any CitizenStore
    public var otpCredentials: any OTPCredentialStore
    public var replay: any ReplayCache
    public var audit: any AuditLog
    /// OIDC grants, authorization codes and refresh tokens.
    public var oauthGrants: any OAuthGrantStore
    /// Regional OTP credential life cycle: SMS codes, outbox, rate counters, operators.
    public var otp: OTPStores
    /// Login through SPID and CIE: pending upstream requests and the archive of upstream responses.
    public var upstream: UpstreamStores
    /// Administration: role grants and API tokens.
    public var administration: any AdministrationStore
    /// What every node must agree on (the signing key set), recorded in the shared store.
    public var deployment: any DeploymentRecordStore
    /// Runs background jobs on one node at a time.
    public var jobs: any JobLock

    public init(sessions: any SessionStore, logins: any LoginTransactionStore, relyingParties: any RelyingPartyStore,
                citizens: any CitizenStore, otpCredentials: any OTPCredentialStore, replay: any ReplayCache,
                audit: any AuditLog, oauthGrants: any OAuthGrantStore, otp: OTPStores, upstream: UpstreamStores,
                administration: any AdministrationStore,
                deployment: any DeploymentRecordStore = ProcessDeploymentRecords(), jobs: any JobLock = ProcessJobLock()) {
        self.sessions = sessions
        self.logins = logins
        self.relyingParties = relyingParties
        self.citizens = citizens
        self.otpCredentials = otpCredentials
        self.replay = replay
        self.audit = audit
        self.oauthGrants = oauthGrants
        self.otp = otp
        self.upstream = upstream
        self.deployment = deployment
        self.jobs = jobs
        self.administration = administration
    }
}

/// Which audit events to read: every given filter must match.
public struct AuditQuery: Sendable, Equatable {
    /// The event's subject (a codice fiscale, a credential ID, an administrator).
    public var subject: String?
    public var relyingParty: String?
    public var kind: AuditEvent.Kind?
    /// From (inclusive) and until (exclusive).
    public var from: Date?
    public var until: Date?
    public var limit: Int

    public init(subject: String? = nil, relyingParty: String? = nil, kind: AuditEvent.Kind? = nil, from: Date? = nil,
                until: Date? = nil, limit: Int = 100) {
        self.subject = subject
        self.relyingParty = relyingParty
        self.kind = kind
        self.from = from
        self.until = until
        self.limit = limit
    }

    public func matches(_ event: AuditEvent) -> Bool {
        (subject == nil || event.subject == subject) && (relyingParty == nil || event.relyingParty == relyingParty)
            && (kind == nil || event.kind == kind) && (from.map { event.time >= $0 } ?? true) && (until.map { event.time < $0 } ?? true)
    }
}

extension AuditLog {
    /// For small logs: filters the newest 10,000 events. A backend with indexes overrides this.
    public func search(_ query: AuditQuery) async throws -> [AuditEvent] {
        Array(try await recent(limit: 10_000).filter(query.matches).prefix(max(0, query.limit)))
    }

    /// For small logs: filters the newest events. A backend with an index on the subject overrides this.
    public func recent(subjects: [String], limit: Int) async throws -> [AuditEvent] {
        let wanted = Set(subjects)
        return Array(try await recent(limit: 10_000).filter { wanted.contains($0.subject ?? "") }.prefix(max(0, limit)))
    }
}
