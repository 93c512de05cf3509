import Foundation

/// One line of the audit log: every login, failure, issuance and administrative change.
public struct AuditEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case loginSucceeded, loginFailed, credentialLocked, assertionIssued, requestRejected
        case sessionEnded, relyingPartyAdded, relyingPartyRemoved, citizenAdded, credentialIssued
        // Regional OTP credential life cycle.
        case otpIssuanceRefused, otpFirstAccess, otpPasswordChanged, otpRecoveryRequested, otpPasswordReset, otpSMSSent,
             otpSMSFailed, otpCredentialUnlocked, otpOperatorAdded, otpAppEnrolled, otpLoginRefusedByPolicy, otpRateLimited,
             otpAppRemoved, otpCredentialDeactivated, otpCardReplaced
        // Administration.
        case relyingPartyChanged, roleGranted, roleRevoked, apiTokenCreated, apiTokenRevoked, adminSignedIn, adminRefused,
             metadataRefreshed, metadataRefreshFailed
    }

    public var time: Date
    public var kind: Kind
    /// Who it concerns: a codice fiscale, a credential ID, or an administrator.
    public var subject: String?
    public var relyingParty: String?
    /// Free text for the reader: what happened and why.
    public var detail: String
    public var clientAddress: String?
    /// For an administrative change: who made it ("cli", "admin:CF", "token:NAME"), and the values before and after (JSON).
    public var actor: String?
    public var before: String?
    public var after: String?

    public init(time: Date, kind: Kind, subject: String? = nil, relyingParty: String? = nil,
                detail: String, clientAddress: String? = nil, actor: String? = nil, before: String? = nil, after: String? = nil) {
        self.time = time
        self.kind = kind
        self.subject = subject
        self.relyingParty = relyingParty
        self.detail = detail
        self.clientAddress = clientAddress
        self.actor = actor
        self.before = before
        self.after = after
    }
}
