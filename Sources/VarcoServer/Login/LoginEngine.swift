import Foundation
import VarcoCore

/// Drives login transactions between the protocol engines and the login pages: creates them, feeds
/// them the citizen's actions, and asks the right protocol to answer when they finish.
struct LoginEngine: Sendable {
    let logins: any LoginTransactionStore
    let sessions: SessionManager
    let protocols: [String: any LoginProtocol]
    let methods: [AuthenticatorDescriptor]
    let clock: any WallClock
    let random: any RandomSource
    let auditor: Auditor
    let maxAttempts: Int
    var metrics: Metrics? = nil

    /// What the route must show next.
    enum Step: Sendable {
        /// Send this answer to the relying party; set the session cookie if a session was (re)established.
        case answer(ProtocolAnswer, session: SSOSession?)
        case showMethods(LoginTransaction, [AuthenticationMethod])
        case showMethod(LoginTransaction, AuthenticationMethod)
    }

    /// A protocol received a trustworthy request: reuse the SSO session or start an interactive login.
    func begin(relyingParty: String, protocolName: String, state: Data, requirement: LoginRequirement,
               browser: String, sessionCookie: String?) async throws -> Step {
        var transaction = LoginTransaction(id: random.token(), relyingParty: relyingParty, protocolName: protocolName,
                                           protocolState: state, requirement: requirement, browserBinding: browser,
                                           csrfToken: random.token(), created: clock.now())
        let session = try await sessions.current(sessionCookie)
        switch transaction.begin(session: session, methods: methods, now: clock.now()) {
        case .answer(let result):
            guard let session else { throw LoginError.corruptTransaction }
            return try await answer(transaction, result: result, session: session, newSession: nil)
        case .fail(let failure):
            return .answer(try await engine(for: transaction).answer(transaction, failure: failure), session: nil)
        case .showMethods(let available):
            try await logins.insert(transaction)
            return .showMethods(transaction, available)
        case .showMethod(let method):
            try await logins.insert(transaction)
            return .showMethod(transaction, method)
        }
    }

    /// The transaction named in the URL, if it exists, is alive, and belongs to this browser.
    func load(_ id: String, browser: String?) async throws -> LoginTransaction {
        guard id.utf8.count <= 64, let transaction = try await logins.find(id: id), transaction.expires > clock.now() else {
            throw WebError(.notFound, "error_loginExpired", detail: "unknown or expired login transaction")
        }
        guard let browser, ConstantTime.equal(browser, transaction.browserBinding) else {
            throw WebError(.forbidden, "error_wrongBrowser", detail: "login transaction used from another browser")
        }
        return transaction
    }

    func choose(_ method: AuthenticationMethod, in transaction: LoginTransaction) async throws -> Step {
        let methods = self.methods
        let updated = try await logins.update(id: transaction.id) { stored in
            _ = stored.choose(method, methods: methods)
        }
        return try await carry(updated.currentDecision(methods: methods), updated, sessionCookie: nil)
    }

    /// An authenticator proved the citizen.
    func succeeded(_ transaction: LoginTransaction, result: AuthnResult, sessionCookie: String?) async throws -> Step {
        let updated = try await logins.update(id: transaction.id) { stored in
            guard !stored.isFinished else { throw LoginError.alreadyFinished }
            _ = stored.authenticated(result)
        }
        try await logins.delete(id: transaction.id)
        switch updated.state {
        case .completed(let asserted):
            metrics?.count("varco_logins_total", [("method", result.method.rawValue), ("result", "success")])
            let previous = try await sessions.current(sessionCookie)
            let session = try await sessions.establish(result, replacing: previous)
            return try await answer(updated, result: asserted, session: session, newSession: session)
        case .failed(let failure):
            return .answer(try await engine(for: updated).answer(updated, failure: failure), session: nil)
        case .choosingMethod, .proving:
            throw LoginError.corruptTransaction
        }
    }

    /// A proof failed: count it; after too many the relying party gets AuthnFailed.
    func failed(_ transaction: LoginTransaction) async throws -> Step {
        if case .proving(let method) = transaction.state {
            metrics?.count("varco_logins_total", [("method", method.rawValue), ("result", "failure")])
        }
        let limit = maxAttempts
        let updated = try await logins.update(id: transaction.id) { stored in
            _ = stored.failedAttempt(maxAttempts: limit)
        }
        return try await carry(updated.currentDecision(methods: methods), updated, sessionCookie: nil)
    }

    func cancel(_ transaction: LoginTransaction) async throws -> Step {
        let updated = try await logins.update(id: transaction.id) { stored in _ = stored.cancel() }
        return try await carry(updated.currentDecision(methods: methods), updated, sessionCookie: nil)
    }

    private func carry(_ decision: LoginTransaction.Decision, _ transaction: LoginTransaction, sessionCookie: String?) async throws -> Step {
        switch decision {
        case .showMethods(let available): return .showMethods(transaction, available)
        case .showMethod(let method): return .showMethod(transaction, method)
        case .fail(let failure):
            try await logins.delete(id: transaction.id)
            return .answer(try await engine(for: transaction).answer(transaction, failure: failure), session: nil)
        case .answer:
            throw WebError(.notFound, "error_loginExpired", detail: "login transaction already answered")
        }
    }

    private func answer(_ transaction: LoginTransaction, result: AuthnResult, session: SSOSession,
                        newSession: SSOSession?) async throws -> Step {
        let (answer, visit) = try await engine(for: transaction).answer(transaction, result: result, session: session)
        try await sessions.record(visit, in: session)
        metrics?.count("varco_assertions_issued_total", [("protocol", transaction.protocolName)])
        if newSession == nil { metrics?.count("varco_sso_reuse_total", [("protocol", transaction.protocolName)]) }
        await auditor.record(.assertionIssued, subject: result.citizen.value, relyingParty: transaction.relyingParty,
                             detail: "\(result.level.uri) via \(result.method.rawValue)\(newSession == nil ? " (SSO session)" : "")")
        return .answer(answer, session: newSession)
    }

    private func engine(for transaction: LoginTransaction) throws -> any LoginProtocol {
        guard let engine = protocols[transaction.protocolName] else { throw LoginError.unknownProtocol(transaction.protocolName) }
        return engine
    }
}

extension LoginTransaction {
    /// The decision matching the current state, for a transaction reloaded from the store.
    func currentDecision(methods: [AuthenticatorDescriptor]) -> Decision {
        switch state {
        case .choosingMethod: .showMethods(methods.filter { $0.canSatisfy(requirement) }.map(\.method))
        case .proving(let method): .showMethod(method)
        case .completed(let result): .answer(result)
        case .failed(let failure): .fail(failure)
        }
    }
}
