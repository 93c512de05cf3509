import Foundation
import Testing
@testable import VarcoSmartCard
import SwiftASN1
import X509

@Suite("Card chain and profile checks, on a fixed clock")
struct ChainAndProfileTests {
    let pki: TestPKI

    init() throws { pki = try TestPKI() }

    func reason(_ presented: [Certificate], validator: CardChainValidator? = nil, now: Date = TestPKI.now) async -> CardRefusal.Reason? {
        do throws(CardRefusal) {
            _ = try await (validator ?? pki.validator()).validate(presented: presented, now: now)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("a CNS card chains to its regional root and is a CNS")
    func cnsCard() async throws {
        let card = try pki.cns.issue(pki.profile()).certificate
        let validated = try await pki.validator().validate(presented: [card], now: TestPKI.now)
        #expect(validated.family == .cns)
        #expect(validated.chain.count == 2)
    }

    @Test("a CIE card chains through its sub-CA, presented or published; the sub-CA's own policy does not matter")
    func cieCard() async throws {
        let card = try pki.cieSub.issue(pki.profile("BNCLRA70M41F205V") { $0.policyOIDs = [[1, 3, 76, 47, 4]] }).certificate
        #expect(try await pki.validator().validate(presented: [card, pki.cieSub.ca], now: TestPKI.now).family == .cie)
        #expect(try await pki.validator(publishingCIESubCA: true).validate(presented: [card], now: TestPKI.now).family == .cie)
        #expect(await reason([card]) == .missingIntermediate)
    }

    @Test("validity is checked against the clock")
    func validity() async throws {
        let card = try pki.cns.issue(pki.profile()).certificate
        #expect(await reason([card], now: TestPKI.now + 400 * TestPKI.day) == .expired)
        #expect(await reason([card], now: TestPKI.now - 2 * TestPKI.day) == .notYetValid)
        #expect(await reason([card]) == nil)
    }

    @Test("an issuer outside the trusted list is unknown")
    func unknownIssuer() async throws {
        let rogue = try DemoCardIssuer(commonName: "Regione Falsa - CA Cittadini", now: TestPKI.now)
        let card = try rogue.issue(pki.profile()).certificate
        #expect(await reason([card, rogue.ca]) == .unknownIssuer)
        #expect(await reason([card]) == .missingIntermediate)
    }

    @Test("a signature certificate (nonRepudiation) is refused as such")
    func signatureCertificate() async throws {
        let card = try pki.cns.issue(pki.profile { $0.keyUsage = KeyUsage(nonRepudiation: true) }).certificate
        #expect(await reason([card]) == .signatureCertificate)
        let both = try pki.cns.issue(pki.profile { $0.keyUsage = KeyUsage(digitalSignature: true, nonRepudiation: true) }).certificate
        #expect(await reason([both]) == .signatureCertificate)
    }

    @Test("keyUsage without digitalSignature, or no clientAuth, is refused")
    func usages() async throws {
        let noSignature = try pki.cns.issue(pki.profile { $0.keyUsage = KeyUsage(keyEncipherment: true) }).certificate
        #expect(await reason([noSignature]) == .wrongKeyUsage)
        let noClientAuth = try pki.cns.issue(pki.profile { $0.clientAuth = false }).certificate
        #expect(await reason([noClientAuth]) == .wrongExtendedKeyUsage)
    }

    @Test("the policy OID must be one of the family's; regional CNS equivalents are accepted")
    func policies() async throws {
        let wrong = try pki.cns.issue(pki.profile { $0.policyOIDs = [[1, 3, 76, 16, 6]] }).certificate
        #expect(await reason([wrong]) == .wrongPolicy)
        let cieOnCNS = try pki.cns.issue(pki.profile { $0.policyOIDs = [[1, 3, 76, 47, 4]] }).certificate
        #expect(await reason([cieOnCNS]) == .wrongPolicy)
        for regional: ASN1ObjectIdentifierLiteral in [[1, 3, 159, 6, 1, 3, 2, 10], [1, 3, 76, 12, 1, 1, 10, 2, 2, 10]] {
            let card = try pki.cns.issue(pki.profile { $0.policyOIDs = [regional.oid] }).certificate
            #expect(await reason([card]) == nil)
        }
    }

    @Test("the trust directory is re-read when a file changes")
    func trustDirectoryReload() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("varco-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("cns"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let trust = try TrustDirectory(path: directory.path)
        #expect(try trust.current().flatMap(\.roots).isEmpty)
        try DemoCardIssuer.pem(pki.cns.ca).write(to: directory.appendingPathComponent("cns/ca.pem"), atomically: true, encoding: .utf8)
        let cns = try trust.current().first { $0.family == .cns }
        #expect(cns?.roots == [pki.cns.ca])
    }
}

/// Lets a test list OIDs as array literals.
struct ASN1ObjectIdentifierLiteral: ExpressibleByArrayLiteral {
    let oid: ASN1ObjectIdentifier
    init(arrayLiteral elements: UInt...) { oid = try! ASN1ObjectIdentifier(elements: elements) }
}
