import Foundation
import VarcoCore

/// What every storage backend must do, written once against the `Stores` protocols.
///
/// Each check runs on fresh, empty stores and throws when the backend misbehaves. A backend's tests
/// either run each check as its own case:
///
///     @Test(arguments: StoreConformance.checks)
///     func conformance(_ check: StoreConformance.Check) async throws {
///         try await check.run(makeEmptyStores())
///     }
///
/// or everything at once with `StoreConformance.run(makeStores:)`. Dates are fixed, never `Date()`.
public enum StoreConformance {
    /// One named behaviour.
    public struct Check: Sendable, CustomStringConvertible {
        public let name: String
        /// Runs the check on empty stores; throws `Failure` (or the store's own error) on misbehaviour.
        public let run: @Sendable (Stores) async throws -> Void
        public var description: String { name }
        init(_ name: String, _ run: @escaping @Sendable (Stores) async throws -> Void) { (self.name, self.run) = (name, run) }
    }

    /// A broken expectation: what was expected, what happened, and where.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs every check, each on stores from a new `makeStores()` call; the first failure is thrown.
    public static func run(makeStores: () async throws -> Stores) async throws {
        for check in checks {
            do { try await check.run(makeStores()) } catch { throw Failure(description: "\(check.name): \(error)") }
        }
    }

    public static let checks: [Check] = [
        Check("sessions: insert then find", sessionRoundTrip),
        Check("sessions: update persists and returns the change", sessionUpdate),
        Check("sessions: concurrent updates are all kept", sessionConcurrentUpdates),
        Check("sessions: delete and deleteIdle", sessionDeletion),
        Check("sessions: an ended session keeps its single logout and each step's outcome", sessionLogout),
        Check("sessions: expired lists idle or too old sessions not yet ended, oldest first", sessionExpired),
        Check("logins: insert then find", loginRoundTrip),
        Check("logins: update persists and returns the change", loginUpdate),
        Check("logins: delete and deleteExpired", loginDeletion),
        Check("relying parties: save, replace, list, remove", relyingParties),
        Check("citizens: save, replace, find", citizens),
        Check("OTP credentials: insert, find by id and by citizen, duplicate id", otpCredentials),
        Check("OTP credentials: update persists, including the citizen lookup", otpUpdate),
        Check("OTP credentials: concurrent failed attempts are all counted", otpConcurrentUpdates),
        Check("replay: first consume wins, later ones lose", replayOnce),
        Check("replay: an expired key can be consumed again", replayExpired),
        Check("replay: of 20 concurrent consumes exactly one wins", replayConcurrent),
        Check("audit: recent is newest first and honours the limit", audit),
    ] + oauthChecks + deploymentChecks + upstreamChecks

    // MARK: Sessions

    static func sessionRoundTrip(_ stores: Stores) async throws {
        var session = Fixture.session("s-1")
        session.record(Fixture.visit(Fixture.fse, at: Fixture.at(5)))
        session.lastSeen = Fixture.at(10.25)  // sub-second precision must survive
        try await stores.sessions.insert(session)
        try await expectEqual(stores.sessions.find(id: "s-1"), session, "found session")
        try await expectEqual(stores.sessions.find(id: "s-unknown"), nil, "unknown session")
    }

    static func sessionUpdate(_ stores: Stores) async throws {
        let original = Fixture.session("s-1")
        try await stores.sessions.insert(original)
        let updated = try await stores.sessions.update(id: "s-1") {
            $0.lastSeen = Fixture.at(60)
            $0.record(Fixture.visit(Fixture.fse, at: Fixture.at(60)))
        }
        try expectEqual(updated.services.map(\.relyingParty), [Fixture.fse], "services returned by update")
        try await expectEqual(stores.sessions.find(id: "s-1"), updated, "session after update")
        try await expectUpdateContract("session", updated, id: "s-1", find: { try await stores.sessions.find(id: $0) },
                                       update: { try await stores.sessions.update(id: $0, $1) },
                                       change: { $0.lastSeen = Fixture.at(999) })
    }

    static func sessionConcurrentUpdates(_ stores: Stores) async throws {
        try await stores.sessions.insert(Fixture.session("s-1"))
        try await concurrently(20) { index in
            try await stores.sessions.update(id: "s-1") { $0.record(Fixture.visit("https://sp\(index).example.it", at: Fixture.at(1))) }
        }
        try await expectEqual(stores.sessions.find(id: "s-1")?.services.count, 20, "services after 20 concurrent updates")
    }

    static func sessionLogout(_ stores: Stores) async throws {
        var session = Fixture.session("s-1")
        session.record(Fixture.visit(Fixture.fse, at: Fixture.at(5)))
        try await stores.sessions.insert(session)
        let initiator = SingleLogout.Initiator.saml(relyingParty: "https://bandi.example.it", requestID: "_r1", relayState: nil,
                                                    responseLocation: "https://bandi.example.it/slo", binding: "redirect")
        let ended = try await stores.sessions.update(id: "s-1") {
            $0.logout = SingleLogout(started: Fixture.at(10), initiator: initiator, browserBinding: "b",
                                     steps: SingleLogout.steps(for: $0.services, except: nil))
        }
        let told = try await stores.sessions.update(id: "s-1") {
            $0.logout?.steps[0].requestID = "_lr1"
            $0.logout?.steps[0].outcome = .loggedOut
        }
        try expectEqual(ended.isEnded, true, "session ended")
        try await expectEqual(stores.sessions.find(id: "s-1"), told, "ended session with its step outcomes")
        try await expectEqual(stores.sessions.find(id: "s-1")?.logout?.steps.first?.outcome, .loggedOut, "step outcome")
    }

    static func sessionExpired(_ stores: Stores) async throws {
        try await stores.sessions.insert(Fixture.session("s-old", lastSeen: Fixture.at(500)))  // created at 0: past the absolute cutoff
        try await stores.sessions.insert(Fixture.session("s-idle", lastSeen: Fixture.at(50)))
        try await stores.sessions.insert(Fixture.session("s-idler", lastSeen: Fixture.at(20)))
        var ended = Fixture.session("s-ended", lastSeen: Fixture.at(10))
        ended.logout = SingleLogout(started: Fixture.at(10), initiator: .citizen, browserBinding: "b", steps: [])
        try await stores.sessions.insert(ended)
        let fresh = SSOSession(id: "s-fresh", result: AuthnResult(citizen: Fixture.rossi, level: .spidL2, method: .otpApp, instant: Fixture.at(400)),
                               now: Fixture.at(400))
        try await stores.sessions.insert(fresh)
        let found = try await stores.sessions.expired(lastSeenBefore: Fixture.at(100), createdBefore: Fixture.at(100), limit: 10)
        try expectEqual(found.map(\.id), ["s-idler", "s-idle", "s-old"], "expired sessions, oldest first")
        try await expectEqual(stores.sessions.expired(lastSeenBefore: Fixture.at(100), createdBefore: Fixture.at(100), limit: 1).map(\.id),
                              ["s-idler"], "limited")
    }

    static func sessionDeletion(_ stores: Stores) async throws {
        for (id, seen) in [("s-0", 0.0), ("s-100", 100), ("s-200", 200), ("s-300", 300)] {
            try await stores.sessions.insert(Fixture.session(id, lastSeen: Fixture.at(seen)))
        }
        try await stores.sessions.delete(id: "s-300")
        try await stores.sessions.delete(id: "s-unknown")  // deleting nothing is not an error
        try await expectEqual(stores.sessions.find(id: "s-300"), nil, "deleted session")
        try await expectEqual(stores.sessions.deleteIdle(lastSeenBefore: Fixture.at(150)), 2, "idle sessions deleted")
        try await expectEqual(stores.sessions.deleteIdle(lastSeenBefore: Fixture.at(200)), 0, "sessions seen at the cutoff deleted")
        try await expectEqual(stores.sessions.find(id: "s-0"), nil, "idle session")
        try await expectEqual(stores.sessions.find(id: "s-200")?.id, "s-200", "session seen after the cutoff")
    }

    // MARK: Logins

    static func loginRoundTrip(_ stores: Stores) async throws {
        var login = Fixture.login("l-1")
        _ = login.choose(.otpApp, methods: [AuthenticatorDescriptor(method: .otpApp, levels: [.spidL2])])
        try await stores.logins.insert(login)
        try await expectEqual(stores.logins.find(id: "l-1"), login, "found login")
        try await expectEqual(stores.logins.find(id: "l-unknown"), nil, "unknown login")
    }

    static func loginUpdate(_ stores: Stores) async throws {
        let original = Fixture.login("l-1")
        try await stores.logins.insert(original)
        let updated = try await stores.logins.update(id: "l-1") { _ = $0.cancel() }
        try expectEqual(updated.state, .failed(.cancelled), "state returned by update")
        try await expectEqual(stores.logins.find(id: "l-1"), updated, "login after update")
        try await expectUpdateContract("login", updated, id: "l-1", find: { try await stores.logins.find(id: $0) },
                                       update: { try await stores.logins.update(id: $0, $1) },
                                       change: { _ = $0.failedAttempt(maxAttempts: 3) })
    }

    static func loginDeletion(_ stores: Stores) async throws {
        for (id, lifetime) in [("l-60", 60.0), ("l-120", 120), ("l-900", 900)] {
            try await stores.logins.insert(Fixture.login(id, lifetime: lifetime))
        }
        try await stores.logins.delete(id: "l-900")
        try await expectEqual(stores.logins.find(id: "l-900"), nil, "deleted login")
        try await expectEqual(stores.logins.deleteExpired(before: Fixture.at(121)), 2, "expired logins deleted")
        try await expectEqual(stores.logins.deleteExpired(before: Fixture.at(121)), 0, "expired logins deleted again")
    }

    // MARK: Relying parties and citizens

    static func relyingParties(_ stores: Stores) async throws {
        let fse = Fixture.relyingParty(Fixture.fse, name: "Fascicolo Sanitario Elettronico")
        var cup = Fixture.relyingParty("https://cup.example.it/sp", name: "Prenotazioni CUP")
        try await stores.relyingParties.save(fse)
        try await stores.relyingParties.save(cup)
        cup.enabled = false
        cup.settings.allowLegacySHA1 = true
        try await stores.relyingParties.save(cup)
        try await expectEqual(stores.relyingParties.find(id: cup.id), cup, "replaced relying party")
        try await expectEqual(stores.relyingParties.list().sorted { $0.id < $1.id }, [cup, fse], "listed relying parties")
        try await expectEqual(stores.relyingParties.remove(id: cup.id), true, "removing a registered party")
        try await expectEqual(stores.relyingParties.remove(id: cup.id), false, "removing it again")
        try await expectEqual(stores.relyingParties.find(id: cup.id), nil, "removed relying party")
        try await expectEqual(stores.relyingParties.list(), [fse], "relying parties after removal")
    }

    static func citizens(_ stores: Stores) async throws {
        var mario = Fixture.mario
        try await stores.citizens.save(mario)
        try await expectEqual(stores.citizens.find(mario.codiceFiscale), mario, "found citizen")
        mario.email = "m.rossi@example.it"
        mario.mobilePhone = nil
        try await stores.citizens.save(mario)
        try await expectEqual(stores.citizens.find(mario.codiceFiscale), mario, "replaced citizen")
        try await expectEqual(stores.citizens.find(Fixture.verdi), nil, "unknown citizen")
    }

    // MARK: OTP credentials

    static func otpCredentials(_ stores: Stores) async throws {
        let first = Fixture.credential("8038000001"), second = Fixture.credential("8038000002")
        let other = Fixture.credential("8038000003", citizen: Fixture.verdi)
        for credential in [second, other, first] { try await stores.otpCredentials.insert(credential) }
        try await expectEqual(stores.otpCredentials.find(id: first.id), first, "found credential")
        try await expectEqual(stores.otpCredentials.find(id: "8038999999"), nil, "unknown credential")
        try await expectEqual(stores.otpCredentials.find(citizen: Fixture.rossi).sorted { $0.id < $1.id }, [first, second],
                              "Mario Rossi's credentials")
        try await expectEqual(stores.otpCredentials.find(citizen: Fixture.bianchi), [], "credentials of a citizen without any")
        try await expectThrows(StoreError.duplicate, "inserting a taken ID") {
            try await stores.otpCredentials.insert(Fixture.credential(first.id, citizen: Fixture.verdi))
        }
        try await expectEqual(stores.otpCredentials.find(id: first.id), first, "credential after a duplicate insert")
    }

    static func otpUpdate(_ stores: Stores) async throws {
        let original = Fixture.credential("8038000001")
        try await stores.otpCredentials.insert(original)
        let updated = try await stores.otpCredentials.update(id: original.id) {
            $0.citizen = Fixture.verdi
            $0.lastTOTPStep = 59_666_666
            $0.lockedUntil = Fixture.at(300)
        }
        try await expectEqual(stores.otpCredentials.find(id: original.id), updated, "credential after update")
        try await expectEqual(stores.otpCredentials.find(citizen: Fixture.rossi), [], "previous holder's credentials")
        try await expectEqual(stores.otpCredentials.find(citizen: Fixture.verdi), [updated], "new holder's credentials")
        try await expectUpdateContract("credential", updated, id: updated.id, find: { try await stores.otpCredentials.find(id: $0) },
                                       update: { try await stores.otpCredentials.update(id: $0, $1) },
                                       change: { $0.status = .disabled })
    }

    static func otpConcurrentUpdates(_ stores: Stores) async throws {
        try await stores.otpCredentials.insert(Fixture.credential("8038000001"))
        try await concurrently(20) { _ in try await stores.otpCredentials.update(id: "8038000001") { $0.failedAttempts += 1 } }
        try await expectEqual(stores.otpCredentials.find(id: "8038000001")?.failedAttempts, 20, "failed attempts counted")
    }

    // MARK: Replay cache and audit log

    static func replayOnce(_ stores: Stores) async throws {
        try await expectEqual(stores.replay.consume("_req1", expires: Fixture.at(300), now: Fixture.at(0)), true, "first consume")
        try await expectEqual(stores.replay.consume("_req1", expires: Fixture.at(400), now: Fixture.at(10)), false, "second consume")
        try await expectEqual(stores.replay.consume("_req1", expires: Fixture.at(500), now: Fixture.at(299)), false, "consume just before expiry")
        try await expectEqual(stores.replay.consume("_req2", expires: Fixture.at(300), now: Fixture.at(10)), true, "another key")
    }

    static func replayExpired(_ stores: Stores) async throws {
        try await expectEqual(stores.replay.consume("_a1", expires: Fixture.at(60), now: Fixture.at(0)), true, "first consume")
        try await expectEqual(stores.replay.consume("_a1", expires: Fixture.at(400), now: Fixture.at(61)), true, "consume after expiry")
        try await expectEqual(stores.replay.consume("_a1", expires: Fixture.at(500), now: Fixture.at(120)), false,
                              "consume before the renewed expiry")
    }

    static func replayConcurrent(_ stores: Stores) async throws {
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { try await stores.replay.consume("_race", expires: Fixture.at(300), now: Fixture.at(0)) } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        try expectEqual(wins, 1, "concurrent consumes that returned true")
    }

    static func audit(_ stores: Stores) async throws {
        let events = [
            AuditEvent(time: Fixture.at(1.5), kind: .loginFailed, subject: "8038000001", detail: "wrong password",
                       clientAddress: "203.0.113.7"),
            AuditEvent(time: Fixture.at(2), kind: .loginSucceeded, subject: Fixture.rossi.value, relyingParty: Fixture.fse,
                       detail: "otp-app, SpidL2"),
            AuditEvent(time: Fixture.at(2), kind: .assertionIssued, subject: Fixture.rossi.value, relyingParty: Fixture.fse,
                       detail: "assertion _a1"),
            AuditEvent(time: Fixture.at(3), kind: .relyingPartyRemoved, subject: "admin", detail: "removed https://cup.example.it/sp"),
        ]
        try await expectEqual(stores.audit.recent(limit: 10), [], "empty log")
        for event in events { try await stores.audit.append(event) }
        try await expectEqual(stores.audit.recent(limit: 10), events.reversed(), "all events, newest first")
        try await expectEqual(stores.audit.recent(limit: 2), [events[3], events[2]], "two newest events")
        try await expectEqual(stores.audit.recent(limit: 0), [], "no events")
    }
}

// MARK: Fixtures

extension StoreConformance {
    /// Realistic values at fixed dates, the same for every backend.
    enum Fixture {
        /// The FixedClock default start; `at(n)` is n seconds later.
        static let start = Date(timeIntervalSince1970: 1_790_000_000)
        static func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

        static let rossi = try! CodiceFiscale("RSSMRA80A01H501U")  // Mario Rossi, 1980-01-01, Roma
        static let verdi = try! CodiceFiscale("VRDGPP85M10F205V")  // Giuseppe Verdi, 1985-08-10, Milano
        static let bianchi = try! CodiceFiscale("BNCLRA90E45L219S")  // Laura Bianchi, 1990-05-05, Torino
        static let fse = "https://fse.example.it/sp"

        static let mario = Citizen(codiceFiscale: rossi, givenName: "Mario", familyName: "Rossi", dateOfBirth: "1980-01-01",
                                   placeOfBirth: "H501", countyOfBirth: "RM", gender: "M", email: "mario.rossi@example.it",
                                   mobilePhone: "+393331234567")

        static func session(_ id: String, lastSeen: Date = at(0)) -> SSOSession {
            var session = SSOSession(id: id, result: AuthnResult(citizen: rossi, level: .spidL2, method: .otpApp, instant: at(0)),
                                     now: at(0))
            session.lastSeen = lastSeen
            return session
        }

        static func visit(_ relyingParty: String, at instant: Date) -> ServiceVisit {
            ServiceVisit(relyingParty: relyingParty, protocolName: "saml", nameID: "_9f1c6a0e2b7d4c38",
                         nameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient", sessionIndex: "_idx1",
                         instant: instant)
        }

        static func login(_ id: String, lifetime: TimeInterval = 900) -> LoginTransaction {
            LoginTransaction(id: id, relyingParty: fse, protocolName: "saml",
                             protocolState: Data(#"<samlp:AuthnRequest ID="_r1" ForceAuthn="true"/>"#.utf8),
                             requirement: LoginRequirement(acceptableLevels: [.spidL2, .spidL3], forceAuthn: true),
                             browserBinding: "bb-\(id)", csrfToken: "csrf-\(id)", created: at(0), lifetime: lifetime)
        }

        static func relyingParty(_ id: String, name: String) -> RelyingParty {
            RelyingParty(id: id, kind: .samlServiceProvider, displayName: name,
                         metadata: #"<md:EntityDescriptor entityID="\#(id)"/>"#,
                         settings: RelyingPartySettings(releasedAttributes: [.fiscalNumber, .name, .familyName],
                                                        minimumLevel: .spidL2),
                         created: at(0))
        }

        static func credential(_ id: String, citizen: CodiceFiscale = rossi) -> OTPCredential {
            OTPCredential(id: id, citizen: citizen, passwordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g",
                          totpSecret: Array("12345678901234567890".utf8), created: at(0))
        }
    }

    // MARK: Expectations

    /// The error a check's closures throw, to see that it reaches the caller unchanged.
    struct Refused: Error, Equatable {}

    static func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: String, line: UInt = #line) throws {
        guard actual == expected else {
            throw Failure(description: "\(what): expected \(expected), got \(actual) (StoreConformance.swift:\(line))")
        }
    }

    static func expectThrows<E: Error & Equatable>(_ expected: E, _ what: String, line: UInt = #line,
                                                   _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as E where error == expected {
            return
        } catch {
            throw Failure(description: "\(what): expected \(expected) to be thrown, got \(error) (StoreConformance.swift:\(line))")
        }
        throw Failure(description: "\(what): expected \(expected) to be thrown, nothing was (StoreConformance.swift:\(line))")
    }

    /// `update` of a missing id throws `notFound`; an error thrown by the change reaches the caller
    /// unchanged and leaves `existing` as it was.
    static func expectUpdateContract<T: Equatable & Sendable>(
        _ what: String, _ existing: T, id: String,
        find: (String) async throws -> T?,
        update: (String, @Sendable (inout T) throws -> Void) async throws -> T,
        change: @escaping @Sendable (inout T) -> Void
    ) async throws {
        try await expectThrows(StoreError.notFound, "\(what) update of a missing id") { _ = try await update("missing-\(id)", change) }
        try await expectThrows(Refused(), "\(what) update whose change throws") {
            _ = try await update(id) { change(&$0); throw Refused() }
        }
        try await expectEqual(find(id), existing, "\(what) after an update whose change threw")
    }

    static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count { group.addTask { try await body(index) } }
            try await group.waitForAll()
        }
    }
}
