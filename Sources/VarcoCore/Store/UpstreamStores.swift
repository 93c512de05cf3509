import Foundation

/// An AuthnRequest Varco sent to a national identity provider and is waiting for an answer to.
/// The response is accepted only for the browser that started it, once, before `expires`.
public struct PendingUpstreamRequest: Codable, Sendable, Equatable {
    public enum Purpose: String, Codable, Sendable {
        /// An AuthnRequest: a Response is expected at the AssertionConsumerService.
        case login
        /// A LogoutRequest (single logout): a LogoutResponse is expected at the SingleLogoutService.
        case logout
    }

    public var purpose: Purpose
    /// The request ID: the Response must name it in InResponseTo.
    public var id: String
    public var kind: UpstreamLogin.Kind
    /// The identity provider the request was sent to.
    public var identityProvider: String
    /// The AuthnRequest IssueInstant exactly as sent (responses may not be older).
    public var issueInstant: Date
    public var requestedLevel: LevelOfAssurance
    /// `minimum`, `exact` or `maximum` (SAML core §3.3.2.2.1).
    public var comparison: String
    /// The opaque RelayState sent with the request.
    public var relayState: String
    /// The `varco_browser` cookie of the browser that started it.
    public var browserBinding: String
    /// The downstream login transaction this proof is for; nil for a login straight into Varco.
    public var loginTransaction: String?
    public var expires: Date

    public init(id: String, kind: UpstreamLogin.Kind, identityProvider: String, issueInstant: Date,
                requestedLevel: LevelOfAssurance, comparison: String, relayState: String, browserBinding: String,
                loginTransaction: String?, expires: Date, purpose: Purpose = .login) {
        self.purpose = purpose
        self.id = id
        self.kind = kind
        self.identityProvider = identityProvider
        self.issueInstant = issueInstant
        self.requestedLevel = requestedLevel
        self.comparison = comparison
        self.relayState = relayState
        self.browserBinding = browserBinding
        self.loginTransaction = loginTransaction
        self.expires = expires
    }
}

/// Pending upstream requests, keyed by AuthnRequest ID.
public protocol PendingUpstreamRequestStore: Sendable {
    func insert(_ request: PendingUpstreamRequest) async throws
    /// Removes and returns the request, atomically: a second call with the same id returns nil.
    /// Expired requests are never returned.
    func take(id: String, now: Date) async throws -> PendingUpstreamRequest?
    func deleteExpired(before cutoff: Date) async throws -> Int
}

/// A response received from a national identity provider, kept as the SPID technical rules require
/// for the audit trail, whatever its outcome.
public struct ArchivedUpstreamResponse: Codable, Sendable, Equatable {
    public var received: Date
    public var kind: UpstreamLogin.Kind
    public var identityProvider: String?
    public var inResponseTo: String?
    /// The codice fiscale when the login succeeded.
    public var subject: String?
    /// "accepted", or why the response was refused.
    public var outcome: String
    /// The SAML Response exactly as received (base64 of the XML bytes).
    public var responseBase64: String
    public var clientAddress: String?

    public init(received: Date, kind: UpstreamLogin.Kind, identityProvider: String?, inResponseTo: String?,
                subject: String?, outcome: String, responseBase64: String, clientAddress: String?) {
        self.received = received
        self.kind = kind
        self.identityProvider = identityProvider
        self.inResponseTo = inResponseTo
        self.subject = subject
        self.outcome = outcome
        self.responseBase64 = responseBase64
        self.clientAddress = clientAddress
    }
}

/// The archive of upstream responses; entries older than the retention are purged.
public protocol UpstreamResponseArchive: Sendable {
    func append(_ response: ArchivedUpstreamResponse) async throws
    /// The newest entries first.
    func recent(limit: Int) async throws -> [ArchivedUpstreamResponse]
    func deleteOlder(than cutoff: Date) async throws -> Int
}

/// The stores of login through SPID and CIE.
public struct UpstreamStores: Sendable {
    public var pending: any PendingUpstreamRequestStore
    public var archive: any UpstreamResponseArchive

    public init(pending: any PendingUpstreamRequestStore, archive: any UpstreamResponseArchive) {
        self.pending = pending
        self.archive = archive
    }
}
