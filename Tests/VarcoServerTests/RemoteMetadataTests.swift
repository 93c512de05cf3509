import Foundation
import Testing
import VarcoCore
@testable import VarcoServer
import VarcoTesting
import VarcoXML

/// Metadata registered by URL, with a fake fetcher: aggregates and their entity filter, validUntil, cacheDuration,
/// the URL policy, and a failed refresh that keeps the last good copy.
@Suite struct RemoteMetadataTests {
    final class Served: MetadataFetching, @unchecked Sendable {
        var body = ""
        func fetch(_ url: URL) async throws(AdminFailure) -> [UInt8] { Array(body.utf8) }
    }

    func admin(_ h: ServerHarness, demo: Bool = false) -> RelyingPartyAdmin {
        RelyingPartyAdmin(stores: h.stores, clock: h.clock, random: h.varco.random, actor: .commandLine, demo: demo)
    }

    func entity(_ h: ServerHarness, _ name: String, attributes: String = "") -> String {
        h.metadata("fse").replacingOccurrences(of: "fse.test", with: "\(name).test")
            .replacingOccurrences(of: "entityID=", with: "\(attributes) entityID=")
    }

    @Test func anAggregateNeedsTheEntityFilterAndHonoursValidUntilAndCacheDuration() async throws {
        let h = try await ServerHarness.make()
        let served = Served()
        let body = (entity(h, "uno") + entity(h, "due")).replacingOccurrences(of: #"<?xml version="1.0"?>"#, with: "")
        served.body = #"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" cacheDuration="PT2H" validUntil="2030-01-01T00:00:00Z">"#
            + body + "</md:EntitiesDescriptor>"
        let url = "https://federation.test/aggregate.xml"
        do {
            _ = try await admin(h).registerSAML(metadataURL: url, pinnedCertificate: nil, entityID: nil, displayName: nil, fetcher: served)
            Issue.record("an aggregate without the entity filter was accepted")
        } catch let failure as AdminFailure { #expect(failure.problems.first?.code == "metadata-entity") }
        let party = try await admin(h).registerSAML(metadataURL: url, pinnedCertificate: nil, entityID: "https://due.test/metadata",
                                                    displayName: nil, fetcher: served)
        #expect(party.id == "https://due.test/metadata" && !party.metadata.contains("uno.test"))
        #expect(party.source?.nextRefresh == h.clock.now().addingTimeInterval(2 * 3600))
        // Expired: refused at refresh, the last good copy stays and the failure is recorded.
        served.body = served.body.replacingOccurrences(of: "2030-01-01", with: "2020-01-01")
        do {
            _ = try await admin(h).refresh(id: party.id, fetcher: served)
            Issue.record("expired metadata was accepted")
        } catch let failure as AdminFailure { #expect(failure.problems.first?.code == "metadata-expired") }
        let kept = try #require(try await h.stores.relyingParties.find(id: party.id))
        #expect(kept.metadata == party.metadata && kept.source?.lastError?.contains("validUntil") == true)
        #expect(try await h.stores.audit.search(AuditQuery(kind: .metadataRefreshFailed)).count == 1)
    }

    @Test func theURLMustBeHTTPSButOnLoopbackInDemoMode() async throws {
        let h = try await ServerHarness.make()
        #expect(throws: AdminFailure.self) { try admin(h).checkedURL("http://sp.test/metadata") }
        #expect(throws: AdminFailure.self) { try admin(h).checkedURL("http://127.0.0.1:8080/metadata") }
        #expect(throws: AdminFailure.self) { try admin(h).checkedURL("file:///etc/passwd") }
        _ = try admin(h, demo: true).checkedURL("http://127.0.0.1:8080/metadata")
        _ = try admin(h).checkedURL("https://sp.test/metadata")
    }

    @Test func durationsAreReadAsXMLSchemaDurations() {
        #expect(RemoteMetadataReader.duration("PT6H") == TimeInterval(6 * 3600))
        #expect(RemoteMetadataReader.duration("P1DT30M") == TimeInterval(86400 + 1800))
        #expect(RemoteMetadataReader.duration("PT90S") == 90)
        #expect(RemoteMetadataReader.duration("P1M") == nil)
        #expect(RemoteMetadataReader.duration("-PT1H") == nil)
        #expect(RemoteMetadataReader.duration("PT") == 0)
    }
}

/// Certificates in metadata: an expired or weak signing certificate is refused at registration.
@Suite struct MetadataCertificateTests {
    @Test func expiredAndWeakSigningCertificatesAreRefused() async throws {
        let h = try await ServerHarness.make()
        let weak = try SelfSignedIdentity.generate(commonName: "weak.test", bits: 1024, days: 30)
        let weakKey = try XMLSigningKey(privateKeyPEM: weak.privateKeyPEM, certificatePEM: weak.certificatePEM)
        let metadata = h.metadata("fse").replacingOccurrences(of: "fse.test", with: "cert.test")
        let withWeak = metadata.replacingOccurrences(of: h.spKey.certificateBase64, with: weakKey.certificateBase64)
        let admin = RelyingPartyAdmin(stores: h.stores, clock: h.clock, random: h.varco.random, actor: .commandLine, demo: false)
        do {
            _ = try await admin.registerSAML(metadataXML: withWeak, displayName: nil)
            Issue.record("a 1024-bit certificate was accepted")
        } catch let failure as AdminFailure { #expect(failure.problems.map(\.code) == ["certificate-weak"]) }
        // Ten years and a day later the harness's certificate has expired.
        let later = FixedClock(Date().addingTimeInterval(3651 * 86400))
        let future = RelyingPartyAdmin(stores: h.stores, clock: later, random: h.varco.random, actor: .commandLine, demo: false)
        do {
            _ = try await future.registerSAML(metadataXML: metadata, displayName: nil)
            Issue.record("an expired certificate was accepted")
        } catch let failure as AdminFailure { #expect(failure.problems.map(\.code) == ["certificate-expired"]) }
        #expect(try await h.stores.relyingParties.find(id: "https://cert.test/metadata") == nil)
        let summary = try CertificateSummary(certificate: h.spKey.certificateBase64)
        #expect(summary.keyType == .rsa && summary.keyBits == 2048 && !summary.isWeak)
        #expect(throws: XMLError.self) { try CertificateSummary(certificate: "bm90IGEgY2VydGlmaWNhdGU=") }
    }
}

/// The audit log's retention removes only what is older than the configured days.
@Suite struct AuditRetentionTests {
    @Test func removesEventsOlderThanTheRetention() async throws {
        let h = try await ServerHarness.make()
        let now = h.clock.now()
        for (age, detail) in [(40.0, "old"), (10.0, "recent")] {
            try await h.stores.audit.append(AuditEvent(time: now.addingTimeInterval(-age * 86400), kind: .loginSucceeded, detail: detail))
        }
        await AuditRetention(audit: h.stores.audit, jobs: h.stores.jobs, days: 30, clock: h.clock, logger: ServerHarness.quietLogger).sweep()
        let left = try await h.stores.audit.recent(limit: 100).map(\.detail)
        #expect(left.contains("recent") && !left.contains("old"))
        var configuration = ServerConfiguration()
        configuration.admin.auditRetentionDays = 5
        #expect(configuration.validate().contains { $0.contains("--audit-retention-days") })
    }
}
