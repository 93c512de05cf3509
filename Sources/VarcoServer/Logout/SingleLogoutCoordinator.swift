import Foundation
import VarcoCore
import VarcoOIDC
import VarcoSAML

/// One orchestrated single logout for every kind of start (a service's LogoutRequest, an OIDC client,
/// "Esci" on Varco's pages): the session ends FIRST, in one store update that also writes the ordered
/// participant steps into the session record; only then are participants told. A logout interrupted
/// halfway (browser closed) therefore still leaves the session ended. Every step's outcome is written
/// to the session record and audited.
struct SingleLogoutCoordinator: Sendable {
    let stores: Stores
    let clock: any WallClock
    let auditor: Auditor
    let messages: LogoutMessageBuilder
    let metadataCache: MetadataCache
    let oidc: OIDCProvider
    let backChannel: BackChannelLogoutSender
    let soap: SOAPLogoutClient
    let upstream: any UpstreamLogout
    /// How long the browser waits for one service before moving on to the next.
    var frontChannelTimeout: TimeInterval = 8

    enum Problem: Error { case alreadyEnded }

    /// Ends `session` and plans its logout; back-channel participants are told before this returns.
    func begin(_ session: SSOSession, initiator: SingleLogout.Initiator, browser: String, client: String?) async throws -> SSOSession {
        let now = clock.now()
        // A SAML service that asked gets the LogoutResponse instead of a LogoutRequest; an OIDC client that asked
        // is told like the others (it may not have ended its own session when it sent only client_id).
        var except: String?
        if case .saml(let relyingParty, _, _, _, _) = initiator { except = relyingParty }
        var steps = SingleLogout.steps(for: session.services, except: except)
        for index in steps.indices { await plan(&steps[index]) }
        if case .upstreamProvider = initiator {
            // The provider that asked for the logout already knows.
        } else if let upstreamStep = await upstream.step(for: session) {
            steps.append(upstreamStep)
        }
        let logout = SingleLogout(started: now, initiator: initiator, browserBinding: browser, steps: steps)
        let ended = try await stores.sessions.update(id: session.id) { stored in
            guard !stored.isEnded else { throw Problem.alreadyEnded }
            stored.logout = logout
            stored.lastSeen = now
        }
        await auditor.record(.sessionEnded, subject: session.citizen.value, relyingParty: Self.party(of: initiator),
                             detail: "single logout started by \(Self.describe(initiator)); participants: "
                                 + (steps.map { "\($0.relyingParty) (\($0.channel.rawValue))" }.joined(separator: ", ").nonEmpty ?? "none"),
                             client: client)
        for step in steps where step.outcome == .unsupported {
            await auditor.record(.requestRejected, subject: session.citizen.value, relyingParty: step.relyingParty,
                                 detail: "single logout: the service offers no logout endpoint; register one in its metadata or registration")
        }
        return try await tellBackChannel(ended)
    }

    /// Decides how a participant is told, from its metadata or registration.
    private func plan(_ step: inout LogoutStep) async {
        guard let party = try? await stores.relyingParties.find(id: step.relyingParty) else {
            step.outcome = .unsupported
            step.detail = "no longer registered"
            return
        }
        step.displayName = party.displayName
        switch step.kind {
        case .saml:
            guard let metadata = try? metadataCache.entry(for: party.id, xml: party.metadata).metadata else {
                step.outcome = .unsupported
                return
            }
            if metadata.browserLogoutService != nil {
                step.channel = .frontChannel
            } else if metadata.soapLogoutService != nil {
                step.channel = .backChannel
            } else {
                step.outcome = .unsupported
            }
        case .oidc:
            let registration = ClientRegistration(party)
            if registration?.backchannelLogoutURI != nil {
                step.channel = .backChannel
            } else if registration?.frontchannelLogoutURI != nil {
                step.channel = .frontChannel
            } else {
                step.outcome = .unsupported
            }
        case .upstream:
            step.channel = .frontChannel
        }
    }

    /// Tells every back-channel participant at once (each with its own timeout) and records the outcomes.
    private func tellBackChannel(_ session: SSOSession) async throws -> SSOSession {
        guard let logout = session.logout else { return session }
        let pending = logout.steps.indices.filter { logout.steps[$0].channel == .backChannel && logout.steps[$0].outcome == .pending }
        guard !pending.isEmpty else { return session }
        let outcomes = await withTaskGroup(of: (Int, LogoutStep.Outcome, String?).self) { group in
            for index in pending {
                let step = logout.steps[index]
                group.addTask {
                    let (outcome, detail) = await tell(step)
                    return (index, outcome, detail)
                }
            }
            var collected: [(Int, LogoutStep.Outcome, String?)] = []
            for await outcome in group { collected.append(outcome) }
            return collected
        }
        var updated = session
        for (index, outcome, detail) in outcomes {
            updated = try await record(outcome, detail: detail, step: index, in: updated)
        }
        return updated
    }

    private func tell(_ step: LogoutStep) async -> (LogoutStep.Outcome, String?) {
        switch step.kind {
        case .oidc:
            let visit = ServiceVisit(relyingParty: step.relyingParty, protocolName: "oidc", nameID: step.nameID,
                                     nameIDFormat: step.nameIDFormat, sessionIndex: step.sessionIndex, instant: clock.now())
            guard let notice = await oidc.backChannelLogouts(for: [visit]).first else { return (.failed, "no logout token could be made") }
            return await backChannel.deliver(notice)
        case .saml:
            return await soap.logout(step)
        case .upstream:
            return (.failed, "the upstream provider has no back channel")
        }
    }

    /// Writes a step's outcome into the session record and the audit log.
    @discardableResult
    func record(_ outcome: LogoutStep.Outcome, detail: String?, step index: Int, in session: SSOSession) async throws -> SSOSession {
        let updated = try await stores.sessions.update(id: session.id) { stored in
            guard stored.logout != nil, stored.logout!.steps.indices.contains(index) else { return }
            stored.logout!.steps[index].outcome = outcome
            stored.logout!.steps[index].detail = detail
        }
        let step = updated.logout?.steps[safe: index]
        let kind: AuditEvent.Kind = outcome == .loggedOut || outcome == .notified ? .sessionEnded : .requestRejected
        await auditor.record(kind, subject: session.citizen.value, relyingParty: step?.relyingParty,
                             detail: "single logout participant \(outcome.rawValue) over \(step?.channel.rawValue ?? "-")"
                                 + (detail.map { ": \($0)" } ?? ""))
        return updated
    }

    static func party(of initiator: SingleLogout.Initiator) -> String? {
        switch initiator {
        case .saml(let relyingParty, _, _, _, _): relyingParty
        case .oidc(let clientID, _): clientID
        case .citizen, .expiry: nil
        case .upstreamProvider(let provider): provider
        }
    }

    static func describe(_ initiator: SingleLogout.Initiator) -> String {
        switch initiator {
        case .saml(let relyingParty, _, _, _, _): "SAML LogoutRequest from \(relyingParty)"
        case .oidc(let clientID, _): "OIDC logout from \(clientID ?? "an unnamed client")"
        case .citizen: "the citizen on Varco's page"
        case .expiry: "session expiry"
        case .upstreamProvider(let provider): "a LogoutRequest from the upstream provider \(provider)"
        }
    }
}

/// An expired session ends like a logout, without a browser: only back-channel participants can be told.
extension SingleLogoutCoordinator: SessionExpiry {
    func expired(_ session: SSOSession) async throws {
        do {
            _ = try await begin(session, initiator: .expiry, browser: "", client: nil)
        } catch Problem.alreadyEnded {
        } catch StoreError.notFound {}
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
