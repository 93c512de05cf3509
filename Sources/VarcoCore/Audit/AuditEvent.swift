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
    }

    public var time: Date
    public var kind: Kind
    /// Who it concerns: a codice fiscale, a credential ID, or an administrator.
    public var subject: String?
    public var relyingParty: String?
    /// Free text for the reader: what happened and why.
    public var detail: String
    public var clientAddress: String?

    public init(time: Date, kind: Kind, subject: String? = nil, relyingParty: String? = nil,
                detail: String, clientAddress: String? = nil) {
        self.time = time
        self.kind = kind
        self.subject = subject
        self.relyingParty = relyingParty
        self.detail = detail
        self.clientAddress = clientAddress
    }
}
