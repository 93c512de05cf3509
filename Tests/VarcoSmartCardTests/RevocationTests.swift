import Foundation
import Synchronization
import Testing
import VarcoTesting
@testable import VarcoSmartCard
import X509

/// Serves fixed CRL bytes, or fails; counts the fetches.
final class FakeFetcher: RevocationFetcher {
    let crl = Mutex<[UInt8]?>(nil)
    let fetches = Mutex(0)

    func ocsp(_ request: [UInt8], to uri: String) async throws -> [UInt8] {
        throw URLError(.cannotConnectToHost)
    }

    func crl(from uri: String) async throws -> [UInt8] {
        fetches.withLock { $0 += 1 }
        guard let bytes = crl.withLock({ $0 }) else { throw URLError(.cannotConnectToHost) }
        return bytes
    }
}

@Suite("Revocation decisions, on a fixed clock")
struct RevocationTests {
    let pki: TestPKI
    let clock = FixedClock(TestPKI.now)
    let fetcher = FakeFetcher()

    init() throws { pki = try TestPKI() }

    func card(crl: String? = "http://crl.test/ca.crl", ocsp: String? = nil) throws -> ValidatedCard {
        let certificate = try pki.cns.issue(pki.profile { $0.crlURI = crl; $0.ocspURI = ocsp }).certificate
        return ValidatedCard(family: .cns, chain: [certificate, pki.cns.ca])
    }

    func decision(_ checker: RevocationChecker, _ card: ValidatedCard, _ mode: RevocationFailureMode) async -> Result<RevocationOutcome, CardRefusal> {
        do throws(CardRefusal) { return .success(try await checker.check(card, failureMode: mode)) } catch { return .failure(error) }
    }

    func reason(_ result: Result<RevocationOutcome, CardRefusal>) -> CardRefusal.Reason? {
        if case .failure(let refusal) = result { return refusal.reason }
        return nil
    }

    @Test("a card on the CRL is revoked; another is good; the CRL is cached until its nextUpdate")
    func crlRevocation() async throws {
        let revoked = try card()
        let good = try card()
        let crl = try TestPKI.crl(by: pki.cns, revoked: [revoked.leaf.serialNumber], thisUpdate: TestPKI.now - 60, nextUpdate: TestPKI.now + 600)
        fetcher.crl.withLock { $0 = crl }
        let checker = RevocationChecker(fetcher: fetcher, clock: clock, crlLifetime: 3600)
        #expect(reason(await decision(checker, revoked, .soft)) == .revoked)
        let outcome = try await decision(checker, good, .hard).get()
        #expect(outcome.status == .good && outcome.cached)
        #expect(fetcher.fetches.withLock { $0 } == 1)
        clock.advance(by: 601)  // past nextUpdate: fetched again; the same CRL is now stale
        #expect(reason(await decision(checker, good, .hard)) == .revocationUnavailable)
        #expect(fetcher.fetches.withLock { $0 } == 2)
    }

    @Test("an unreachable CRL: hard-fail refuses, soft-fail lets the card through and says so")
    func unreachable() async throws {
        let checker = RevocationChecker(fetcher: fetcher, clock: clock)
        let card = try card()
        #expect(reason(await decision(checker, card, .hard)) == .revocationUnavailable)
        let outcome = try await decision(checker, card, .soft).get()
        #expect(outcome.summary.contains("soft-fail"))
    }

    @Test("an unreachable OCSP responder: hard-fail refuses (the requester's error is terminal)")
    func ocspUnreachable() async throws {
        let checker = RevocationChecker(fetcher: fetcher, clock: clock)
        let card = try card(crl: nil, ocsp: "http://ocsp.test/")
        let result = await decision(checker, card, .hard)
        #expect(reason(result) == .revocationUnavailable)
        if case .failure(let refusal) = result { #expect(refusal.detail.contains("unreachable")) }
        #expect(try await decision(checker, card, .soft).get().status != .good)
    }

    @Test("a CRL signed by another CA is not trusted")
    func foreignCRL() async throws {
        let other = try DemoCardIssuer(commonName: "Other CA", now: TestPKI.now)
        let crl = try TestPKI.crl(by: other, revoked: [], thisUpdate: TestPKI.now - 60, nextUpdate: TestPKI.now + 600)
        fetcher.crl.withLock { $0 = crl }
        let checker = RevocationChecker(fetcher: fetcher, clock: clock)
        #expect(reason(await decision(checker, try card(), .hard)) == .revocationUnavailable)
    }

    @Test("a card naming no revocation source: refused under hard-fail, accepted under soft-fail")
    func noSource() async throws {
        let checker = RevocationChecker(fetcher: fetcher, clock: clock)
        let card = try card(crl: nil)
        #expect(reason(await decision(checker, card, .hard)) == .revocationUnavailable)
        #expect(try await decision(checker, card, .soft).get().status == .noSource)
    }
}
