import Foundation
import Testing
import VarcoCore

private let cf = try! CodiceFiscale("RSSMRA80A01H501U")
private let start = Date(timeIntervalSince1970: 1_790_000_000)
private let otpApp = AuthenticatorDescriptor(method: .otpApp, levels: [.spidL2])
private let card = AuthenticatorDescriptor(method: .smartCard, levels: [.spidL3])
private let methods = [otpApp, card]

private func transaction(_ requirement: LoginRequirement = .init()) -> LoginTransaction {
    LoginTransaction(id: "t1", relyingParty: "https://fse.test", protocolName: "saml", protocolState: Data(),
                     requirement: requirement, browserBinding: "b", csrfToken: "c", created: start)
}

private func session(level: LevelOfAssurance) -> SSOSession {
    SSOSession(id: "s1", result: AuthnResult(citizen: cf, level: level, method: .otpApp, instant: start), now: start)
}

@Suite struct LoginTransactionTests {
    @Test func withoutSessionTheMethodsThatReachTheLevelAreOffered() {
        var login = transaction(LoginRequirement(acceptableLevels: [.spidL3]))
        #expect(login.begin(session: nil, methods: methods, now: start) == .showMethods([.smartCard]))
    }

    @Test func aLowerLevelRequestIsSatisfiedByAStrongerMethod() {
        var login = transaction(LoginRequirement(acceptableLevels: [.spidL1]))
        #expect(login.begin(session: nil, methods: methods, now: start) == .showMethods([.otpApp, .smartCard]))
        _ = login.choose(.otpApp, methods: methods)
        let decision = login.authenticated(AuthnResult(citizen: cf, level: .spidL2, method: .otpApp, instant: start))
        guard case .answer(let result) = decision else { Issue.record("expected an answer"); return }
        #expect(result.level == .spidL1)
    }

    @Test func aSufficientSessionIsReusedWithoutLogin() {
        var login = transaction(LoginRequirement(acceptableLevels: [.spidL1, .spidL2]))
        let decision = login.begin(session: session(level: .spidL2), methods: methods, now: start)
        #expect(decision == .answer(AuthnResult(citizen: cf, level: .spidL2, method: .otpApp, instant: start)))
        #expect(login.isFinished)
    }

    @Test func forceAuthnIgnoresTheSession() {
        var login = transaction(LoginRequirement(forceAuthn: true))
        #expect(login.begin(session: session(level: .spidL3), methods: methods, now: start) == .showMethods([.otpApp, .smartCard]))
    }

    @Test func aHigherLevelThanTheSessionStepsUp() {
        var login = transaction(LoginRequirement(acceptableLevels: [.spidL3]))
        #expect(login.begin(session: session(level: .spidL2), methods: methods, now: start) == .showMethods([.smartCard]))
    }

    @Test func passiveWithoutSessionFailsWithNoPassive() {
        var login = transaction(LoginRequirement(isPassive: true))
        #expect(login.begin(session: nil, methods: methods, now: start) == .fail(.noPassive))
    }

    @Test func unreachableLevelFailsWithNoAuthnContext() {
        var login = transaction(LoginRequirement(acceptableLevels: [.spidL3]))
        #expect(login.begin(session: nil, methods: [otpApp], now: start) == .fail(.noAuthnContext))
    }

    @Test func choosingAMethodThatCannotReachTheLevelIsRefused() {
        var login = transaction(LoginRequirement(acceptableLevels: [.spidL3]))
        _ = login.begin(session: nil, methods: methods, now: start)
        #expect(login.choose(.otpApp, methods: methods) == .showMethods([.smartCard]))
        #expect(login.state == .choosingMethod)
    }

    @Test func aProofBelowTheRequestedLevelFails() {
        var login = transaction(LoginRequirement(acceptableLevels: [.spidL3]))
        _ = login.begin(session: nil, methods: methods, now: start)
        _ = login.choose(.smartCard, methods: methods)
        let decision = login.authenticated(AuthnResult(citizen: cf, level: .spidL2, method: .smartCard, instant: start))
        #expect(decision == .fail(.noAuthnContext))
    }

    @Test func tooManyFailuresEndTheLoginWithAuthnFailed() {
        var login = transaction()
        _ = login.begin(session: nil, methods: methods, now: start)
        _ = login.choose(.otpApp, methods: methods)
        #expect(login.failedAttempt(maxAttempts: 3) == .showMethod(.otpApp))
        #expect(login.failedAttempt(maxAttempts: 3) == .showMethod(.otpApp))
        #expect(login.failedAttempt(maxAttempts: 3) == .fail(.authnFailed))
        // A finished login cannot be revived by a late success.
        let late = login.authenticated(AuthnResult(citizen: cf, level: .spidL2, method: .otpApp, instant: start))
        #expect(late == .fail(.authnFailed))
    }

    @Test func cancelEndsTheLogin() {
        var login = transaction()
        _ = login.begin(session: nil, methods: methods, now: start)
        #expect(login.cancel() == .fail(.cancelled))
    }
}

@Suite struct SSOSessionTests {
    @Test func idleAndAbsoluteTimeouts() {
        let policy = SessionPolicy(idleTimeout: 600, absoluteTimeout: 3600)
        var live = session(level: .spidL2)
        #expect(live.isAlive(at: start.addingTimeInterval(599), policy: policy))
        #expect(!live.isAlive(at: start.addingTimeInterval(600), policy: policy))
        live.lastSeen = start.addingTimeInterval(3500)
        #expect(!live.isAlive(at: start.addingTimeInterval(3600), policy: policy))
    }

    @Test func renewalKeepsServicesAndTheHigherLevelButChangesTheID() {
        var old = session(level: .spidL3)
        old.record(ServiceVisit(relyingParty: "sp", protocolName: "saml", nameID: "n", nameIDFormat: "f", sessionIndex: "i", instant: start))
        let renewed = old.renewed(id: "s2", with: AuthnResult(citizen: cf, level: .spidL2, method: .otpApp, instant: start), now: start)
        #expect(renewed.id == "s2")
        #expect(renewed.level == .spidL3)
        #expect(renewed.services.count == 1)
    }

    @Test func renewalForAnotherCitizenDropsTheServices() {
        var old = session(level: .spidL2)
        old.record(ServiceVisit(relyingParty: "sp", protocolName: "saml", nameID: "n", nameIDFormat: "f", sessionIndex: "i", instant: start))
        let other = try! CodiceFiscale("MSRNTN77H15C351X")
        let renewed = old.renewed(id: "s2", with: AuthnResult(citizen: other, level: .spidL2, method: .otpApp, instant: start), now: start)
        #expect(renewed.services.isEmpty)
        #expect(renewed.citizen == other)
    }
}
