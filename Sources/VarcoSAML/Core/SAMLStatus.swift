import VarcoCore

/// A SAML status (SAML core §3.2.2.2): a top-level code and an optional second-level one.
public struct SAMLStatus: Equatable, Sendable, Codable {
    public var code: TopLevel
    public var subcode: SecondLevel?
    /// Shown to the service's operators; never contains secrets or message content.
    public var message: String?

    public enum TopLevel: String, Sendable, Codable {
        case success = "urn:oasis:names:tc:SAML:2.0:status:Success"
        case requester = "urn:oasis:names:tc:SAML:2.0:status:Requester"
        case responder = "urn:oasis:names:tc:SAML:2.0:status:Responder"
        case versionMismatch = "urn:oasis:names:tc:SAML:2.0:status:VersionMismatch"
    }

    public enum SecondLevel: String, Sendable, Codable {
        case authnFailed = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
        case noAuthnContext = "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext"
        case noPassive = "urn:oasis:names:tc:SAML:2.0:status:NoPassive"
        case requestDenied = "urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
        case requestUnsupported = "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported"
        case invalidNameIDPolicy = "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy"
        case unsupportedBinding = "urn:oasis:names:tc:SAML:2.0:status:UnsupportedBinding"
        /// Single logout: some participant could not be logged out (SAML core §3.2.2.2).
        case partialLogout = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout"
        case unknownPrincipal = "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal"
    }

    public init(_ code: TopLevel, _ subcode: SecondLevel? = nil, message: String? = nil) {
        self.code = code
        self.subcode = subcode
        self.message = message
    }

    public static let success = SAMLStatus(.success)

    /// The status that answers a login that ended without a proof.
    public init(_ failure: LoginFailure) {
        switch failure {
        case .noPassive: self.init(.responder, .noPassive, message: "The citizen has no session and the request is passive")
        case .noAuthnContext: self.init(.responder, .noAuthnContext, message: "No login method reaches the requested level")
        case .authnFailed: self.init(.responder, .authnFailed, message: "Authentication failed")
        case .cancelled: self.init(.responder, .authnFailed, message: "The citizen cancelled the login")
        case .requestDenied: self.init(.responder, .requestDenied, message: "Access denied by policy")
        }
    }
}
