import Foundation
import VarcoCore

/// What every backend must do for the regional OTP stores.
extension StoreConformance {
    public static let otpChecks: [Check] = [
        Check("SMS codes: save, replace, update, delete, deleteExpired", smsChallenges),
        Check("SMS codes: of 10 concurrent consumptions exactly one wins", smsChallengeConcurrent),
        Check("SMS outbox: append, update, newest first", outbox),
        Check("rate counters: count within the window, reset after it", counters),
        Check("operators: insert, duplicate, find by token hash", operators),
        Check("OTP credentials: records without the new fields still decode", otpCredentialNewFields),
        Check("OTP credentials: issuance saves holder and credential, or neither", otpIssuanceTransaction),
        Check("audit log: a citizen's events, newest first", auditBySubject),
    ]

    static func smsChallenges(_ stores: Stores) async throws {
        let challenge = SMSChallenge(id: "login:t1", purpose: .login, credentialID: "0000000001", codeHash: "abc",
                                     created: Fixture.at(0), lifetime: 180, maxAttempts: 3)
        try await stores.otp.challenges.save(challenge)
        try await expectEqual(stores.otp.challenges.find(id: "login:t1"), challenge, "saved code")
        var replaced = challenge
        replaced.codeHash = "def"
        try await stores.otp.challenges.save(replaced)
        try await expectEqual(stores.otp.challenges.find(id: "login:t1")?.codeHash, "def", "replaced code")
        let updated = try await stores.otp.challenges.update(id: "login:t1") { $0.attempts += 1 }
        try expectEqual(updated.attempts, 1, "attempts after update")
        try await expectUpdateContract("SMS code", updated, id: "login:t1", find: { try await stores.otp.challenges.find(id: $0) },
                                       update: { try await stores.otp.challenges.update(id: $0, $1) }, change: { $0.attempts = 99 })
        try await expectEqual(stores.otp.challenges.deleteExpired(before: Fixture.at(100)), 0, "nothing expired yet")
        try await expectEqual(stores.otp.challenges.deleteExpired(before: Fixture.at(181)), 1, "expired code removed")
        try await expectEqual(stores.otp.challenges.find(id: "login:t1"), nil, "after deleteExpired")
    }

    static func smsChallengeConcurrent(_ stores: Stores) async throws {
        try await stores.otp.challenges.save(SMSChallenge(id: "c", purpose: .login, credentialID: "1", codeHash: "h",
                                                          created: Fixture.at(0), lifetime: 180, maxAttempts: 3))
        struct Used: Error {}
        let wins = Counter()
        try await concurrently(10) { _ in
            do {
                try await stores.otp.challenges.update(id: "c") { if $0.consumed { throw Used() }; $0.consumed = true }
                await wins.increment()
            } catch is Used {}
        }
        try await expectEqual(await wins.value, 1, "consumptions that won")
    }

    static func outbox(_ stores: Stores) async throws {
        for index in 0..<3 {
            try await stores.otp.outbox.append(SMSMessage(id: "m\(index)", to: "+393331234567", text: "t\(index)", created: Fixture.at(Double(index))))
        }
        try await stores.otp.outbox.update(id: "m1") { $0.status = .failed; $0.error = "HTTP 500" }
        let recent = try await stores.otp.outbox.recent(limit: 2)
        try expectEqual(recent.map(\.id), ["m2", "m1"], "newest first, limited")
        try expectEqual(recent[1].status, .failed, "updated status")
    }

    static func counters(_ stores: Stores) async throws {
        try await expectEqual(stores.otp.counters.increment("k", windowEnd: Fixture.at(60), now: Fixture.at(0)), 1, "first")
        try await expectEqual(stores.otp.counters.increment("k", windowEnd: Fixture.at(60), now: Fixture.at(10)), 2, "second")
        try await expectEqual(stores.otp.counters.count("k", now: Fixture.at(20)), 2, "count")
        try await expectEqual(stores.otp.counters.increment("k", windowEnd: Fixture.at(120), now: Fixture.at(60)), 1, "new window")
        try await stores.otp.counters.reset("k")
        try await expectEqual(stores.otp.counters.count("k", now: Fixture.at(61)), 0, "after reset")
    }

    static func operators(_ stores: Stores) async throws {
        let op = OTPOperator(name: "sportello-1", tokenHash: "ff", created: Fixture.at(0))
        try await stores.otp.operators.insert(op)
        try await expectThrows(StoreError.duplicate, "same name") { try await stores.otp.operators.insert(op) }
        try await expectEqual(stores.otp.operators.find(tokenHash: "ff"), op, "by token hash")
        try await expectEqual(stores.otp.operators.find(tokenHash: "00"), nil, "unknown token")
        try await expectEqual(stores.otp.operators.list().map(\.name), ["sportello-1"], "list")
    }

    static func otpCredentialNewFields(_ stores: Stores) async throws {
        var credential = Fixture.credential("0000000042")
        credential.mobilePhone = "+393331234567"
        credential.holder = .minor
        credential.passwordHistory = ["h1"]
        try await stores.otpCredentials.insert(credential)
        try await expectEqual(stores.otpCredentials.find(id: "0000000042"), credential, "credential with the new fields")
        let old = #"{"id":"1","citizen":"RSSMRA80A01H501U","passwordHash":"x","status":"active","failedAttempts":0,"created":0}"#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let decoded = try decoder.decode(OTPCredential.self, from: Data(old.utf8))
        try expectEqual(decoded.mobilePhone, nil, "old record without mobile")
    }

    static func otpIssuanceTransaction(_ stores: Stores) async throws {
        let holder = try Citizen(codiceFiscale: CodiceFiscale("RSSLCU12E10F205G"), givenName: "Lucia", familyName: "Rossi",
                                 dateOfBirth: "2012-05-10", placeOfBirth: "F205")
        var taken = Fixture.credential("0000000043")
        try await stores.otpCredentials.insert(taken)
        taken.citizen = holder.codiceFiscale
        do {
            try await stores.otpCredentials.insert(taken, savingHolder: holder, in: stores.citizens)
            throw Failure(description: "a taken ID was issued again")
        } catch StoreError.duplicate {}
        try expectEqual(try await stores.citizens.find(holder.codiceFiscale), nil, "no holder left behind by a refused issuance")
        var fresh = Fixture.credential("0000000044")
        fresh.citizen = holder.codiceFiscale
        try await stores.otpCredentials.insert(fresh, savingHolder: holder, in: stores.citizens)
        try await expectEqual(stores.citizens.find(holder.codiceFiscale), holder, "holder saved with the credential")
        try await expectEqual(stores.otpCredentials.find(id: "0000000044"), fresh, "credential saved with the holder")
    }

    static func auditBySubject(_ stores: Stores) async throws {
        for (n, subject) in ["A", "B", "A", "C", "A"].enumerated() {
            try await stores.audit.append(AuditEvent(time: Fixture.at(Double(n)), kind: .loginSucceeded, subject: subject, detail: "\(n)"))
        }
        try await expectEqual(stores.audit.recent(subjects: ["A", "C"], limit: 3).map(\.detail), ["4", "3", "2"], "newest of A and C")
        try await expectEqual(stores.audit.recent(subjects: ["B"], limit: 10).map(\.detail), ["1"], "only B")
        try await expectEqual(stores.audit.recent(subjects: [], limit: 10).count, 0, "no subjects")
    }
}
