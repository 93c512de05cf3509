/// What a revocation source said about a card certificate, with a detail for the audit log.
public enum RevocationStatus: Sendable, Equatable {
    case good
    case revoked(String)
    case unknown(String)
    /// No usable answer: the responder or distribution point is unreachable, or its answer does not verify.
    case unavailable(String)
    /// The certificate names neither an OCSP responder nor a CRL distribution point.
    case noSource
}

/// The outcome of a revocation check that let the card through, for the audit log.
public struct RevocationOutcome: Sendable, Equatable {
    /// `good`, or (soft-fail) what could not be checked.
    public let status: RevocationStatus
    /// `OCSP <uri>`, `CRL <uri>` or `none`.
    public let source: String
    /// Whether the answer came from the cache.
    public let cached: Bool

    public var summary: String {
        switch status {
        case .good: "not revoked (\(source)\(cached ? ", cached" : ""))"
        case .unavailable(let detail): "revocation not checked, soft-fail: \(detail)"
        case .noSource: "revocation not checked, soft-fail: no OCSP responder or CRL distribution point"
        case .revoked(let detail), .unknown(let detail): detail
        }
    }
}
