import Foundation

/// A pending login: a relying party's request waiting for the citizen to prove who they are.
///
/// A value-type state machine. Protocol code creates it from a request; the login pages feed it
/// events; each event returns the decision the caller must carry out. Authenticators never see it.
public struct LoginTransaction: Codable, Sendable, Equatable {
    public enum State: Codable, Sendable, Equatable {
        /// The citizen is choosing a login method.
        case choosingMethod
        /// The citizen is proving themselves with this method.
        case proving(AuthenticationMethod)
        /// Done: the protocol must now answer the relying party.
        case completed(AuthnResult)
        /// Done: the protocol must answer the relying party with this failure.
        case failed(LoginFailure)
    }

    public let id: String
    /// The relying party (SAML entityID or OIDC client_id).
    public let relyingParty: String
    /// Which protocol engine answers: "saml" or "oidc".
    public let protocolName: String
    /// The protocol's own request context (opaque here), needed to answer.
    public let protocolState: Data
    public let requirement: LoginRequirement
    /// Random value also set as a cookie in the browser that started the login: only that browser may continue it.
    public let browserBinding: String
    /// Anti-CSRF token embedded in every form of this login.
    public let csrfToken: String
    public let created: Date
    public let expires: Date
    public private(set) var state: State
    public private(set) var failedAttempts: Int

    public init(id: String, relyingParty: String, protocolName: String, protocolState: Data,
                requirement: LoginRequirement, browserBinding: String, csrfToken: String,
                created: Date, lifetime: TimeInterval = 15 * 60) {
        self.id = id
        self.relyingParty = relyingParty
        self.protocolName = protocolName
        self.protocolState = protocolState
        self.requirement = requirement
        self.browserBinding = browserBinding
        self.csrfToken = csrfToken
        self.created = created
        self.expires = created.addingTimeInterval(lifetime)
        self.state = .choosingMethod
        self.failedAttempts = 0
    }

    public var isFinished: Bool {
        switch state {
        case .completed, .failed: true
        case .choosingMethod, .proving: false
        }
    }

    /// What the caller must do after an event.
    public enum Decision: Equatable, Sendable {
        /// Show the method choice (these methods satisfy the requirement).
        case showMethods([AuthenticationMethod])
        /// Show this method's login page.
        case showMethod(AuthenticationMethod)
        /// Answer the relying party with this proof.
        case answer(AuthnResult)
        /// Answer the relying party with this failure.
        case fail(LoginFailure)
    }

    /// The first event: is the existing SSO session (if any) enough, or must the citizen log in?
    public mutating func begin(session: SSOSession?, methods: [AuthenticatorDescriptor], now: Date) -> Decision {
        guard state == .choosingMethod else { return decisionForFinishedOrCurrentState(methods) }
        if let session, !requirement.forceAuthn, let level = requirement.levelToAssert(for: session.level) {
            return finish(.completed(AuthnResult(citizen: session.citizen, level: level,
                                                 method: session.method, instant: session.authInstant)))
        }
        if requirement.isPassive { return finish(.failed(.noPassive)) }
        let usable = methods.filter { $0.canSatisfy(requirement) }.map(\.method)
        if usable.isEmpty { return finish(.failed(.noAuthnContext)) }
        return .showMethods(usable)
    }

    /// The citizen picked a method on the login page.
    public mutating func choose(_ method: AuthenticationMethod, methods: [AuthenticatorDescriptor]) -> Decision {
        guard !isFinished else { return decisionForFinishedOrCurrentState(methods) }
        guard let descriptor = methods.first(where: { $0.method == method }), descriptor.canSatisfy(requirement) else {
            return .showMethods(methods.filter { $0.canSatisfy(requirement) }.map(\.method))
        }
        state = .proving(method)
        return .showMethod(method)
    }

    /// An authenticator proved the citizen.
    public mutating func authenticated(_ result: AuthnResult) -> Decision {
        guard !isFinished else { return decisionForFinishedOrCurrentState([]) }
        guard let level = requirement.levelToAssert(for: result.level) else {
            return finish(.failed(.noAuthnContext))
        }
        var asserted = result
        asserted.level = level
        return finish(.completed(asserted))
    }

    /// A proof failed. After `maxAttempts` failures the login ends with AuthnFailed.
    public mutating func failedAttempt(maxAttempts: Int) -> Decision {
        guard !isFinished else { return decisionForFinishedOrCurrentState([]) }
        failedAttempts += 1
        if failedAttempts >= maxAttempts { return finish(.failed(.authnFailed)) }
        if case .proving(let method) = state { return .showMethod(method) }
        return .showMethods([])
    }

    /// The citizen gave up ("Annulla").
    public mutating func cancel() -> Decision {
        guard !isFinished else { return decisionForFinishedOrCurrentState([]) }
        return finish(.failed(.cancelled))
    }

    private mutating func finish(_ final: State) -> Decision {
        state = final
        return decisionForFinishedOrCurrentState([])
    }

    private func decisionForFinishedOrCurrentState(_ methods: [AuthenticatorDescriptor]) -> Decision {
        switch state {
        case .completed(let result): .answer(result)
        case .failed(let failure): .fail(failure)
        case .proving(let method): .showMethod(method)
        case .choosingMethod: .showMethods(methods.filter { $0.canSatisfy(requirement) }.map(\.method))
        }
    }
}

/// Why a login ended without a proof, in protocol-neutral terms (SAML and OIDC map these to their codes).
public enum LoginFailure: String, Codable, Sendable, Equatable {
    /// Passive login requested but the citizen has no suitable session.
    case noPassive
    /// No method can reach a level the relying party accepts.
    case noAuthnContext
    /// Too many failed proofs.
    case authnFailed
    /// The citizen cancelled.
    case cancelled
    /// The policy refuses this citizen or relying party.
    case requestDenied
}
