/// Why a SPID/CIE Response was refused. Every case ends the login with an error page (HTTP 4xx) and
/// an audit entry; `detail` is for the log only.
public enum UpstreamResponseFailure: Error, Equatable, Sendable {
    /// Not a well-formed, DTD-free SAML Response.
    case malformed(String)
    /// A signature is missing, does not verify with the provider's metadata keys, or uses a forbidden transform.
    case signature(String)
    /// A value does not match what was asked or expected (InResponseTo, Destination, Issuer, Audience...).
    case mismatch(String)
    /// A time is missing, malformed or outside its window.
    case time(String)
    /// The provider reached a lower level than asked.
    case level(String)
    /// The provider answered with an error status (no login). `spidErrorCode` is the "ErrorCode nrNN"
    /// of the SPID rules' error table when the provider sent one (19-25, 30...).
    case providerStatus(code: String, spidErrorCode: Int?)
    /// The response names no request this browser is waiting for (unsolicited, replayed, expired, other browser).
    case unexpected(String)
    /// The identity could not be mapped (no fiscalNumber, invalid codice fiscale).
    case identity(String)

    public var detail: String {
        switch self {
        case .malformed(let d): "malformed response: \(d)"
        case .signature(let d): "signature: \(d)"
        case .mismatch(let d): "mismatch: \(d)"
        case .time(let d): "time: \(d)"
        case .level(let d): "level: \(d)"
        case .providerStatus(let code, let nr): "provider status \(code)\(nr.map { " ErrorCode nr\($0)" } ?? "")"
        case .unexpected(let d): "unexpected response: \(d)"
        case .identity(let d): "identity: \(d)"
        }
    }

    /// The message key of the citizen's error page (templates/i18n/*/spid.json).
    public var messageKey: String {
        switch self {
        case .providerStatus(_, let nr?) where SPIDErrorCode.shownToCitizen.contains(nr): "spid_error_nr\(nr)"
        case .providerStatus: "spid_error_status"
        case .unexpected: "spid_error_unexpected"
        case .level: "spid_error_level"
        case .identity: "spid_error_identity"
        case .malformed, .signature, .mismatch, .time: "spid_error_invalid"
        }
    }
}

/// The anomaly codes of the SPID rules ("messaggi di errore") that the service provider must explain
/// to the citizen on its own courtesy page.
public enum SPIDErrorCode {
    /// 19 repeated wrong credentials, 20 no credentials for the level, 21 timeout, 22 consent denied,
    /// 23 suspended or revoked identity, 25 cancelled by the citizen, 30 wrong identity type.
    public static let shownToCitizen: Set<Int> = [19, 20, 21, 22, 23, 25, 30]

    /// The number in a StatusMessage such as `ErrorCode nr19`.
    public static func parse(_ statusMessage: String?) -> Int? {
        guard let statusMessage, let range = statusMessage.range(of: "ErrorCode nr") else { return nil }
        let digits = statusMessage[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }
}
