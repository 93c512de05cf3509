import VarcoCore

/// What to do with an inbound AuthnRequest.
public enum RequestOutcome: Sendable {
    /// Trusted and acceptable: start a login transaction for it.
    case login(SAMLLoginRequest)
    /// Trusted but unacceptable: send this SAML error response to the service's registered ACS.
    case respond(SAMLErrorReply)
    /// Untrustworthy: show an error page, never redirect anywhere.
    case refuse(Refusal)
}

/// Why a request could not be trusted. `message` is for the citizen's error page (Italian and English
/// are chosen by the server from `kind`); `detail` is for the log only.
public struct Refusal: Error, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case malformedMessage, unknownService, disabledService, badSignature, missingSignature
        case unknownAssertionConsumerService, replayedRequest
        /// The service wants encrypted assertions and its metadata has no encryption key (lost at a refresh).
        case noEncryptionKey
        /// Single logout: the service has no SingleLogoutService Varco can answer at.
        case noLogoutEndpoint
        /// A LogoutResponse that answers no LogoutRequest Varco sent (or one already answered).
        case unsolicitedResponse
    }
    public var kind: Kind
    public var detail: String
    public var serviceProvider: String?

    public init(_ kind: Kind, _ detail: String, serviceProvider: String? = nil) {
        self.kind = kind
        self.detail = detail
        self.serviceProvider = serviceProvider
    }
}

/// A SAML error response still to be built and signed.
public struct SAMLErrorReply: Sendable, Equatable {
    public var serviceProvider: String
    public var destination: String
    public var inResponseTo: String?
    public var relayState: String?
    public var status: SAMLStatus

    public init(serviceProvider: String, destination: String, inResponseTo: String?, relayState: String?, status: SAMLStatus) {
        self.serviceProvider = serviceProvider
        self.destination = destination
        self.inResponseTo = inResponseTo
        self.relayState = relayState
        self.status = status
    }
}
