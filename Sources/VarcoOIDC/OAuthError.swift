import VarcoCore
/// An OAuth 2.0 / OpenID Connect error: the registered code, a description the client may see, and a
/// detail for the log only (never sent). Build one with the factory named after its code.
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
    }

    public let code: Code
    /// Sent as `error_description`: fixed text, never built from the request.
    public let publicDescription: String
    /// For the log only.
    public let detail: String

    init(_ code: Code, _ publicDescription: String, detail: String) {
        self.code = code
        self.publicDescription = publicDescription
        self.detail = detail
    }

    public var description: String { "\(code.rawValue): \(publicDescription)\(detail.isEmpty ? "" : " (\(detail))")" }

    /// The HTTP status when the error is a JSON answer (RFC 6749 §5.2, RFC 6750 §3.1).
    public var status: Int {
        switch code {
        case .invalidClient, .invalidToken: 401
        case .serverError: 500
        case .temporarilyUnavailable: 503
        default: 400
        }
    }

    /// The JSON body of an error answer.
    public var json: String {
        JSONText.encode(["error": code.rawValue, "error_description": publicDescription])
    }
}

extension OAuthError.Code {
    public static let invalidRequest = Self(rawValue: "invalid_request")
    public static let invalidClient = Self(rawValue: "invalid_client")
    public static let invalidGrant = Self(rawValue: "invalid_grant")
    public static let unauthorizedClient = Self(rawValue: "unauthorized_client")
    public static let unsupportedGrantType = Self(rawValue: "unsupported_grant_type")
    public static let unsupportedResponseType = Self(rawValue: "unsupported_response_type")
    public static let invalidScope = Self(rawValue: "invalid_scope")
    public static let accessDenied = Self(rawValue: "access_denied")
    public static let serverError = Self(rawValue: "server_error")
    public static let temporarilyUnavailable = Self(rawValue: "temporarily_unavailable")
    public static let loginRequired = Self(rawValue: "login_required")
    public static let interactionRequired = Self(rawValue: "interaction_required")
    public static let requestNotSupported = Self(rawValue: "request_not_supported")
    public static let requestURINotSupported = Self(rawValue: "request_uri_not_supported")
    /// OpenID Connect Core Unmet Authentication Requirements 1.0.
    public static let unmetAuthenticationRequirements = Self(rawValue: "unmet_authentication_requirements")
    public static let invalidToken = Self(rawValue: "invalid_token")
    public static let unsupportedTokenType = Self(rawValue: "unsupported_token_type")
}

extension OAuthError {
    public static func invalidRequest(_ text: String, detail: String = "") -> Self { .init(.invalidRequest, text, detail: detail) }
    public static func invalidClient(_ detail: String) -> Self { .init(.invalidClient, "client authentication failed", detail: detail) }
    public static func invalidGrant(_ detail: String) -> Self { .init(.invalidGrant, "the grant is invalid, expired or revoked", detail: detail) }
    public static func unauthorizedClient(_ text: String, detail: String = "") -> Self { .init(.unauthorizedClient, text, detail: detail) }
    public static func unsupportedGrantType(_ detail: String) -> Self { .init(.unsupportedGrantType, "grant_type not supported", detail: detail) }
    public static func unsupportedResponseType(_ detail: String) -> Self {
        .init(.unsupportedResponseType, "only response_type=code is supported", detail: detail)
    }
    public static func invalidScope(_ text: String, detail: String = "") -> Self { .init(.invalidScope, text, detail: detail) }
    public static func accessDenied(_ detail: String) -> Self { .init(.accessDenied, "the citizen did not complete the login", detail: detail) }
    public static func serverError(_ detail: String) -> Self { .init(.serverError, "internal error", detail: detail) }
    /// A store failed while `action`: the database out of reach is `temporarily_unavailable` (503, the client may
    /// retry; nothing was issued), anything else `server_error`.
    public static func backend(_ error: any Error, while action: String) -> Self {
        if case StoreError.unavailable? = error as? StoreError {
            return .init(.temporarilyUnavailable, "the service is temporarily unavailable, try again shortly", detail: "\(action): \(error)")
        }
        return .serverError("\(action): \(error)")
    }
    public static func loginRequired(_ detail: String) -> Self { .init(.loginRequired, "the citizen must log in", detail: detail) }
    public static func interactionRequired(_ detail: String) -> Self { .init(.interactionRequired, "interaction required", detail: detail) }
    public static func requestNotSupported(_ detail: String) -> Self { .init(.requestNotSupported, "request objects are not supported", detail: detail) }
    public static func requestURINotSupported(_ detail: String) -> Self { .init(.requestURINotSupported, "request_uri is not supported", detail: detail) }
    public static func unmetAuthenticationRequirements(_ detail: String) -> Self {
        .init(.unmetAuthenticationRequirements, "no login method reaches the requested acr", detail: detail)
    }
    public static func invalidToken(_ detail: String) -> Self { .init(.invalidToken, "the access token is invalid", detail: detail) }
    public static func unsupportedTokenType(_ detail: String) -> Self { .init(.unsupportedTokenType, "token type not supported", detail: detail) }
}
