import Foundation
import VarcoCore
import VarcoOIDC
import VarcoSAML

/// The steps of a single logout that run in the citizen's browser.
extension SingleLogoutCoordinator {
    /// The ended session whose logout this browser runs (named by the `varco_logout` cookie), or nil. A session
    /// ended by expiry has no browser: nobody continues its logout.
    func logout(cookie: String?, browser: String?) async throws -> SSOSession? {
        guard let cookie, !cookie.isEmpty, cookie.utf8.count <= 128, let session = try await stores.sessions.find(id: cookie),
              let logout = session.logout, !logout.initiator.isBackChannelOnly else { return nil }
        guard let browser, !logout.browserBinding.isEmpty, ConstantTime.equal(browser, logout.browserBinding) else {
            throw WebError(.forbidden, "error_wrongBrowser", detail: "single logout continued from another browser")
        }
        return session
    }

    /// The browser waited the whole timeout for the service in frame `index`: it did not answer.
    func timedOut(step index: Int, in session: SSOSession) async throws -> SSOSession {
        guard let step = session.logout?.steps[safe: index], step.outcome == .inProgress, step.kind == .saml else { return session }
        return try await record(.noAnswer, detail: "no LogoutResponse within \(Int(frontChannelTimeout)) s", step: index, in: session)
    }

    /// The signed LogoutRequest for the service in frame `index`; the step is then in progress, awaiting its answer.
    func frameMessage(step index: Int, in session: SSOSession) async throws -> OutboundMessage? {
        guard let logout = session.logout, logout.currentFrameStep == index else { return nil }
        let step = logout.steps[index]
        guard let party = try await stores.relyingParties.find(id: step.relyingParty),
              let endpoint = try? metadataCache.entry(for: party.id, xml: party.metadata).metadata.browserLogoutService else {
            try await record(.failed, detail: "no SingleLogoutService in the metadata any more", step: index, in: session)
            return nil
        }
        let now = clock.now()
        let (id, message) = try messages.request(to: endpoint, serviceProvider: step.relyingParty, nameID: step.nameID,
                                                 nameIDFormat: step.nameIDFormat, sessionIndex: step.sessionIndex,
                                                 lifetime: frontChannelTimeout + 60, now: now)
        try await stores.sessions.update(id: session.id) { stored in
            guard stored.logout?.steps.indices.contains(index) == true else { return }
            stored.logout!.steps[index].outcome = .inProgress
            stored.logout!.steps[index].requestID = id
            stored.logout!.steps[index].sent = now
        }
        return message
    }

    /// The origin a frame for step `index` navigates to, for the page's Content-Security-Policy.
    func frameOrigin(step index: Int, in session: SSOSession) async -> String? {
        guard let step = session.logout?.steps[safe: index], let party = try? await stores.relyingParties.find(id: step.relyingParty),
              let location = try? metadataCache.entry(for: party.id, xml: party.metadata).metadata.browserLogoutService?.location else { return nil }
        return Self.origin(of: location)
    }

    /// A service's LogoutResponse: accepted only if it answers the LogoutRequest Varco sent it in this logout.
    func received(_ response: LogoutResponse, in session: SSOSession) async throws -> Bool {
        guard let inResponseTo = response.inResponseTo,
              let index = session.logout?.stepAwaiting(response: inResponseTo, from: response.issuer) else { return false }
        try await record(response.isSuccess ? .loggedOut : .failed,
                         detail: response.isSuccess ? nil : "LogoutResponse status \(response.status) \(response.subStatus ?? "")",
                         step: index, in: session)
        return true
    }

    /// The upstream provider's turn: the step is marked in progress and the browser goes there.
    func upstreamAnswer(step index: Int, in session: SSOSession) async throws -> ProtocolAnswer {
        let answer = try await upstream.logoutAnswer(for: session, step: session.logout!.steps[index])
        try await stores.sessions.update(id: session.id) { stored in stored.logout?.steps[index].outcome = .inProgress }
        return answer
    }

    /// For the upstream hook: the upstream provider answered (or not); the browser then returns to `/logout/progress`.
    func finish(upstreamOf session: SSOSession, outcome: LogoutStep.Outcome, detail: String? = nil) async throws {
        guard let index = session.logout?.steps.firstIndex(where: { $0.kind == .upstream }) else { return }
        try await record(outcome, detail: detail, step: index, in: session)
    }

    /// Every participant has had its turn: the OIDC front-channel clients are framed now, the result is
    /// recorded once, and the initiator gets its answer.
    func conclude(_ session: SSOSession) async throws -> (session: SSOSession, frames: [String], answer: OutboundMessage?) {
        guard var logout = session.logout else { return (session, [], nil) }
        var frames: [String] = []
        for index in logout.steps.indices where logout.steps[index].kind == .oidc && logout.steps[index].channel == .frontChannel
            && logout.steps[index].outcome == .pending {
            if let uri = await frontChannelURI(logout.steps[index]) { frames.append(uri) }
        }
        let now = clock.now()
        let updated = try await stores.sessions.update(id: session.id) { stored in
            guard stored.logout != nil else { return }
            for index in stored.logout!.steps.indices where stored.logout!.steps[index].outcome == .pending {
                let frontChannelOIDC = stored.logout!.steps[index].kind == .oidc && stored.logout!.steps[index].channel == .frontChannel
                stored.logout!.steps[index].outcome = frontChannelOIDC ? .notified : .failed
            }
            if stored.logout!.finished == nil { stored.logout!.finished = now }
        }
        logout = updated.logout ?? logout
        if session.logout?.finished == nil {
            await auditor.record(.sessionEnded, subject: session.citizen.value, relyingParty: Self.party(of: logout.initiator),
                                 detail: "single logout finished" + (logout.isPartial ? " partially: " : ": ")
                                     + logout.steps.map { "\($0.relyingParty) \($0.outcome.rawValue)" }.joined(separator: ", "))
        }
        var answer: OutboundMessage?
        if case .saml(let party, let requestID, let relayState, let location, let binding) = logout.initiator {
            let status = logout.isPartial ? SAMLStatus(.success, .partialLogout, message: "Not every session participant confirmed the logout")
                                          : SAMLStatus.success
            answer = try messages.response(LogoutReply(serviceProvider: party, endpoint: .init(binding: binding, location: location),
                                                       inResponseTo: requestID, relayState: relayState, status: status), now: now)
        }
        return (updated, frames, answer)
    }

    /// `frontchannel_logout_uri` with `iss` and `sid` (Front-Channel Logout 1.0 §2).
    private func frontChannelURI(_ step: LogoutStep) async -> String? {
        guard let party = try? await stores.relyingParties.find(id: step.relyingParty),
              let uri = ClientRegistration(party)?.frontchannelLogoutURI else { return nil }
        return uri + (uri.contains("?") ? "&" : "?") + "iss=\(URLEncodedForm.encode(oidc.configuration.issuer))&sid=\(URLEncodedForm.encode(step.sessionIndex))"
    }

    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }
}
