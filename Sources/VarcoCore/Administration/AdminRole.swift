import Foundation

/// What a holder of the administration may do. Checked on every request, never cached in a cookie.
public enum AdminRole: String, Codable, Sendable, CaseIterable, Comparable {
    /// Relying parties, keys, roles, tokens: everything.
    case admin
    /// The counter work of regional OTP credentials.
    case `operator`
    /// Read-only: the audit log, the registrations, the keys and the metrics.
    case auditor

    /// Whether a holder of this role may read the registrations, the keys and the audit log.
    public var canRead: Bool { self == .admin || self == .auditor }
    /// Whether a holder of this role may change registrations, keys, roles and tokens.
    public var canChange: Bool { self == .admin }

    public static func < (lhs: AdminRole, rhs: AdminRole) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A role held by a citizen, by codice fiscale.
public struct RoleGrant: Codable, Sendable, Equatable {
    public var codiceFiscale: CodiceFiscale
    public var role: AdminRole
    /// Who granted it: "cli", "demo" or "admin:CF".
    public var grantedBy: String
    public var granted: Date

    public init(codiceFiscale: CodiceFiscale, role: AdminRole, grantedBy: String, granted: Date) {
        self.codiceFiscale = codiceFiscale
        self.role = role
        self.grantedBy = grantedBy
        self.granted = granted
    }
}

/// A bearer token of the administration REST API: scoped to one role, expiring, revocable.
/// Only the SHA-256 of the token is kept; the token itself is shown once.
public struct APIToken: Codable, Sendable, Equatable {
    /// A short public id (to list and revoke it), not the secret.
    public let id: String
    public var name: String
    public var role: AdminRole
    public var tokenHash: String
    public var created: Date
    public var expires: Date
    public var revoked: Date?
    public var createdBy: String

    public init(id: String, name: String, role: AdminRole, tokenHash: String, created: Date, expires: Date,
                revoked: Date? = nil, createdBy: String) {
        self.id = id
        self.name = name
        self.role = role
        self.tokenHash = tokenHash
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.createdBy = createdBy
    }

    /// Usable at `now`: not revoked, not expired.
    public func isValid(at now: Date) -> Bool { revoked == nil && now < expires }
}
