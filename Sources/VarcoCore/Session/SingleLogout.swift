import Foundation

/// The single logout of an SSO session, kept in the session record itself: once it is set the session
/// is ended (no service can be answered from it any more), and the record only lives on to tell every
/// participant, one step after the other, and to show the citizen what happened.
///
/// The steps are ordered: SAML services through the browser, then the back-channel ones, and last the
/// upstream identity provider, if any (see `LogoutStep.Kind.upstream`).
public struct SingleLogout: Codable, Sendable, Equatable {
    /// Who asked for the logout, and where the answer goes.
    public enum Initiator: Codable, Sendable, Equatable {
        /// A SAML service sent a LogoutRequest: it gets a LogoutResponse at `responseLocation`.
        case saml(relyingParty: String, requestID: String, relayState: String?, responseLocation: String, binding: String)
        /// An OIDC client (RP-initiated logout): the browser goes back to a registered `redirect`, if any.
        case oidc(clientID: String?, redirect: String?)
        /// The citizen pressed "Esci" on Varco's own pages.
        case citizen
        /// The session expired (idle or absolute timeout): only back-channel notifications are possible.
        case expiry
        /// The SPID or CIE provider the session came from sent a LogoutRequest: the browser goes back to it with
        /// Varco's answer, so only back-channel participants can be told, and the provider itself is not.
        case upstreamProvider(String)

        /// Whether the logout runs without the citizen's browser (nothing is framed or redirected).
        public var isBackChannelOnly: Bool {
            switch self {
            case .expiry, .upstreamProvider: true
            default: false
            }
        }
    }

    public var started: Date
    public var initiator: Initiator
    /// The `varco_browser` value of the browser that started the logout; its steps run only in that browser.
    public var browserBinding: String
    public var steps: [LogoutStep]
    /// When the result was first shown (and the initiator answered): the logout is over.
    public var finished: Date?

    public init(started: Date, initiator: Initiator, browserBinding: String, steps: [LogoutStep]) {
        self.started = started
        self.initiator = initiator
        self.browserBinding = browserBinding
        self.steps = steps
    }

    /// The steps for the services a session reached, except the one that asked for the logout.
    /// Each service's binding is decided later, from its metadata or registration.
    public static func steps(for services: [ServiceVisit], except initiator: String?) -> [LogoutStep] {
        services.filter { $0.relyingParty != initiator }.map { LogoutStep(visit: $0) }
    }

    /// Whether every step has an outcome.
    public var isFinished: Bool { steps.allSatisfy { $0.outcome.isFinal } }

    /// Whether any participant failed or did not answer (SAML: PartialLogout).
    public var isPartial: Bool { steps.contains { $0.outcome == .failed || $0.outcome == .noAnswer } }

    /// The next SAML service to tell through the browser, one at a time in a frame: the one in progress,
    /// else the first pending one. OIDC front-channel clients are all framed at once on the result page.
    public var currentFrameStep: Int? {
        steps.firstIndex { $0.kind == .saml && $0.channel == .frontChannel && $0.outcome == .inProgress }
            ?? steps.firstIndex { $0.kind == .saml && $0.channel == .frontChannel && $0.outcome == .pending }
    }

    /// The upstream provider's step, once every service has been told.
    public var pendingUpstreamStep: Int? {
        guard currentFrameStep == nil else { return nil }
        return steps.firstIndex { $0.kind == .upstream && $0.outcome == .pending }
    }

    /// The step waiting for the LogoutResponse with this `InResponseTo`, sent to `relyingParty`.
    public func stepAwaiting(response inResponseTo: String, from relyingParty: String) -> Int? {
        steps.firstIndex { $0.outcome == .inProgress && $0.requestID == inResponseTo && $0.relyingParty == relyingParty }
    }
}

/// One participant of a single logout and what happened to it.
public struct LogoutStep: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case saml, oidc
        /// The upstream SPID or CIE identity provider: always the last step, run by `UpstreamLogout`.
        case upstream
    }

    public enum Channel: String, Codable, Sendable {
        /// Through the citizen's browser (SAML Redirect/POST in a frame, OIDC front-channel frames).
        case frontChannel
        /// Server to server (SAML SOAP, OIDC back-channel logout token).
        case backChannel
        /// Not decided yet, or the participant offers no way to be told.
        case none
    }

    public enum Outcome: String, Codable, Sendable {
        case pending, inProgress
        /// The participant confirmed (SAML Success, HTTP 200 to a logout token).
        case loggedOut
        /// The message was delivered but nothing can confirm it (OIDC front-channel).
        case notified
        /// The participant answered with an error, or could not be reached.
        case failed
        /// The participant did not answer within its time.
        case noAnswer
        /// The participant offers no logout endpoint: nothing could be sent.
        case unsupported

        public var isFinal: Bool { self != .pending && self != .inProgress }
    }

    public var kind: Kind
    public var relyingParty: String
    public var displayName: String
    public var nameID: String
    public var nameIDFormat: String
    public var sessionIndex: String
    public var channel: Channel
    public var outcome: Outcome
    /// The ID of the LogoutRequest Varco sent, to match the LogoutResponse.
    public var requestID: String?
    public var sent: Date?
    /// For the audit log and the administrator: what went wrong.
    public var detail: String?

    public init(kind: Kind, relyingParty: String, displayName: String, nameID: String, nameIDFormat: String, sessionIndex: String,
                channel: Channel = .none, outcome: Outcome = .pending) {
        self.kind = kind
        self.relyingParty = relyingParty
        self.displayName = displayName
        self.nameID = nameID
        self.nameIDFormat = nameIDFormat
        self.sessionIndex = sessionIndex
        self.channel = channel
        self.outcome = outcome
    }

    public init(visit: ServiceVisit) {
        self.init(kind: visit.protocolName == "oidc" ? .oidc : .saml, relyingParty: visit.relyingParty, displayName: visit.relyingParty,
                  nameID: visit.nameID, nameIDFormat: visit.nameIDFormat, sessionIndex: visit.sessionIndex)
    }
}
