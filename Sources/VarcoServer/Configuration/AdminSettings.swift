import Foundation

/// Settings of the administration console, its REST API and the operations endpoints.
public struct AdminSettings: Sendable {
    /// How long after the administrator proved who they are the console stays open (default 15 minutes);
    /// then a new login is asked.
    public var maxAuthenticationAge: TimeInterval
    /// A bearer token that may read `/metrics` (nil: none).
    public var metricsToken: String?
    /// Client addresses that may read `/metrics` without a token (default loopback only).
    public var metricsAddresses: [String]
    /// Audit events older than this many days are removed (nil: kept for ever).
    public var auditRetentionDays: Int?

    public init(maxAuthenticationAge: TimeInterval = 15 * 60, metricsToken: String? = nil,
                metricsAddresses: [String] = ["127.0.0.1", "::1"]) {
        self.maxAuthenticationAge = maxAuthenticationAge
        self.metricsToken = metricsToken
        self.metricsAddresses = metricsAddresses
    }

    func validate() -> [String] {
        var problems: [String] = []
        if !(60...(8 * 3600)).contains(maxAuthenticationAge) {
            problems.append("--admin-max-auth-age must be between 60 seconds and 8 hours")
        }
        if let metricsToken, metricsToken.utf8.count < 16 { problems.append("--metrics-token must have at least 16 characters") }
        if let days = auditRetentionDays, !(30...3650).contains(days) {
            problems.append("--audit-retention-days must be between 30 and 3650 (or left out to keep the audit log for ever)")
        }
        return problems
    }
}
