import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoSAML
@testable import VarcoServer
import VarcoXML

/// Assertion encryption end to end: the setting through the API, the encrypted answer, and failing closed.
@Suite struct AssertionEncryptionTests {
    /// The harness metadata of `sp` plus a KeyDescriptor use="encryption" with the SP's certificate.
    func encryptingMetadata(_ h: ServerHarness, _ sp: String) -> String {
        h.metadata(sp).replacingOccurrences(of: "<md:AssertionConsumerService", with: """
            <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(h.spKey.certificateBase64)\
            </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:AssertionConsumerService
            """)
    }

    func register(_ h: ServerHarness, _ sp: String, metadata: String, encrypt: Bool) async throws {
        var party = try #require(try await h.stores.relyingParties.find(id: h.entityID(sp)))
        party.metadata = metadata
        party.settings.encryptAssertion = encrypt
        try await h.stores.relyingParties.save(party)
    }

    func decryptingValidator(_ h: ServerHarness, _ sp: String) throws -> ResponseValidator {
        var validator = h.validator(sp)
        validator.decryptionKey = try XMLDecryptionKey(privateKeyPEM: ServerHarness.spIdentity.privateKeyPEM)
        return validator
    }

    @Test func theAPIRefusesEncryptionWithoutAKeyAndTurnsItOnWithOne() async throws {
        let h = try await ServerHarness.make()
        let token = try await AccessAdmin(stores: h.stores, clock: h.clock, random: h.varco.random, actor: .commandLine)
            .issueToken(name: "encryption", role: "admin", lifetimeDays: 30).secret
        try await h.run { browser in
            let api = AdminAPITests.Call(client: browser.client, token: token)
            let fse = SAMLServiceView.key(h.entityID("fse"))
            let refused = try await api.send(.patch, "/saml-services/\(fse)", json: #"{"settings": {"encrypt_assertion": true}}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains("encryption-without-key"))
            #expect(try await h.stores.relyingParties.find(id: h.entityID("fse"))?.settings.encryptAssertion == false)

            try await register(h, "fse", metadata: encryptingMetadata(h, "fse"), encrypt: false)
            let accepted = try await api.send(.patch, "/saml-services/\(fse)", json: #"{"settings": {"encrypt_assertion": true}}"#)
            #expect(accepted.status == .ok)
            let settings = try #require(try AdminAPITests.object(accepted)["settings"] as? [String: Any])
            #expect(settings["encrypt_assertion"] as? Bool == true)
        }
        let change = try #require(try await h.stores.audit.recent(limit: 5).first { $0.kind == .relyingPartyChanged })
        #expect(change.before?.contains(#""encryptAssertion":false"#) == true)
        #expect(change.after?.contains(#""encryptAssertion":true"#) == true)
    }

    @Test func theServiceGetsOnlyAnEncryptedAssertionAndReadsIt() async throws {
        let h = try await ServerHarness.make()
        try await register(h, "fse", metadata: encryptingMetadata(h, "fse"), encrypt: true)
        try await h.run { browser in
            let answer = try await LoginFlowTests().login(h, browser, id: "_e1")
            #expect(answer.status == .ok)
            let xml = try samlResponse(answer)
            #expect(xml.contains("<saml:EncryptedAssertion>") && !xml.contains("<saml:Assertion"))
            #expect(!xml.contains("RSSMRA80A01H501U"))
            let login = try decryptingValidator(h, "fse").validate(Array(xml.utf8), inResponseTo: "_e1", now: h.clock.now())
            #expect(login.attributes["fiscalNumber"] == "TINIT-RSSMRA80A01H501U")
            // The other service, without encryption, still gets its assertion in clear (SSO session reused).
            let bandi = try await browser.get(try h.ssoURI("bandi", id: "_e2"))
            #expect(try samlResponse(bandi).contains("<saml:Assertion"))
        }
    }

    @Test func aKeyLostBeforeTheRequestStopsItWithAPageAndAnAuditEntry() async throws {
        let h = try await ServerHarness.make()
        try await register(h, "fse", metadata: h.metadata("fse"), encrypt: true)
        try await h.run { browser in
            let refused = try await browser.get(try h.ssoURI("fse", id: "_k1"))
            #expect(refused.status == .badRequest)
            #expect(String(buffer: refused.body).contains("non è stato inviato nulla"))
            #expect(Browser.hidden("SAMLResponse", in: refused) == nil)
        }
        let audit = try await h.stores.audit.recent(limit: 5)
        #expect(audit.contains { $0.kind == .requestRejected && $0.detail.hasPrefix("noEncryptionKey") })
    }

    @Test func aKeyLostDuringTheLoginSendsNoAssertionAtAll() async throws {
        let h = try await ServerHarness.make()
        try await register(h, "fse", metadata: encryptingMetadata(h, "fse"), encrypt: true)
        try await h.run { browser in
            let start = try await browser.get(try h.ssoURI("fse", id: "_k2"))
            let location = try #require(start.headers[.location])
            let form = try await browser.get(location + "/otp-app")
            // The metadata is refreshed while the citizen signs in, and has lost its encryption key.
            try await register(h, "fse", metadata: h.metadata("fse"), encrypt: true)
            let answer = try await browser.post(location + "/otp-app", form: [
                ("csrf", try #require(Browser.hidden("csrf", in: form))), ("otp_id", ServerHarness.otpID),
                ("password", ServerHarness.password), ("code", h.code()),
            ])
            #expect(answer.status == .internalServerError)
            #expect(Browser.hidden("SAMLResponse", in: answer) == nil)
            #expect(String(buffer: answer.body).contains("non è stato inviato nulla"))
        }
        let audit = try await h.stores.audit.recent(limit: 10)
        #expect(audit.contains { $0.kind == .requestRejected && $0.detail.contains("no assertion sent") })
        #expect(!audit.contains { $0.kind == .assertionIssued })
    }

    @Test func theConsoleCheckboxSaysWhenTheMetadataHasNoKeyAndSavesWhenItHasOne() async throws {
        let h = try await ServerHarness.make()
        _ = try await h.stores.administration.grant(RoleGrant(codiceFiscale: AdminConsoleTests.rossi, role: .admin, grantedBy: "test",
                                                              granted: h.clock.now()))
        try await h.run { browser in
            _ = try await AdminConsoleTests().signIn(h, browser)
            let key = SAMLServiceView.key(h.entityID("fse"))
            let page = try await browser.get("/admin/services/\(key)")
            let html = String(buffer: page.body)
            #expect(html.contains(#"name="encrypt_assertion""#))
            #expect(html.contains("non hanno un certificato di cifratura"))
            let csrf = try #require(Browser.hidden("csrf", in: page))
            func save(version: Int) async throws -> TestResponse {
                try await browser.post("/admin/services/\(key)/settings", form: [
                    ("csrf", csrf), ("version", "\(version)"), ("display_name", "FSE"), ("sign_response", "on"),
                    ("sign_assertion", "on"), ("encrypt_assertion", "on"),
                ])
            }
            let refused = try await save(version: 1)
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains("no encryption certificate"))
            try await register(h, "fse", metadata: encryptingMetadata(h, "fse"), encrypt: false)
            let saved = try await save(version: 1)
            #expect(saved.status == .seeOther)
            #expect(try await h.stores.relyingParties.find(id: h.entityID("fse"))?.settings.encryptAssertion == true)
            #expect(String(buffer: try await browser.get("/admin/services/\(key)").body).contains(#"name="encrypt_assertion" aria-describedby="encrypt_hint" checked"#))
        }
    }

    @Test func weakExpiredOrMissingEncryptionCertificatesEachGetTheirMessage() async throws {
        let h = try await ServerHarness.make()
        let weak = try SelfSignedIdentity.generate(commonName: "weak.test", bits: 1024)
        let weakBody = try XMLVerificationKey(certificate: weak.certificatePEM).certificateBase64
        let check = SAMLMetadataCheck(allowLoopbackHTTP: false, now: Date())
        let withWeak = try ServiceProviderMetadata(xml: encryptingMetadata(h, "fse").replacingOccurrences(
            of: #"<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\#(h.spKey.certificateBase64)"#,
            with: #"<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\#(weakBody)"#))
        #expect(check.encryptionProblems(withWeak).map(\.code) == ["encryption-certificate-weak"])
        let good = try ServiceProviderMetadata(xml: encryptingMetadata(h, "fse"))
        #expect(check.encryptionProblems(good).isEmpty)
        let later = SAMLMetadataCheck(allowLoopbackHTTP: false, now: Date().addingTimeInterval(20 * 365 * 86_400))
        #expect(later.encryptionProblems(good).map(\.code) == ["encryption-certificate-expired"])
        #expect(check.encryptionProblems(try ServiceProviderMetadata(xml: h.metadata("fse"))).map(\.code) == ["encryption-without-key"])
        // A service declaring only CBC (md:EncryptionMethod) could not decrypt AES-GCM; one listing it is fine.
        func declaring(_ algorithms: [String]) throws -> ServiceProviderMetadata {
            let methods = algorithms.map { #"<md:EncryptionMethod Algorithm="\#($0)"/>"# }.joined()
            return try ServiceProviderMetadata(xml: encryptingMetadata(h, "fse").replacingOccurrences(
                of: "</ds:KeyInfo></md:KeyDescriptor><md:AssertionConsumerService", with: "</ds:KeyInfo>\(methods)</md:KeyDescriptor><md:AssertionConsumerService"))
        }
        let cbc = try declaring(["http://www.w3.org/2001/04/xmlenc#aes128-cbc", "http://www.w3.org/2001/04/xmlenc#rsa-1_5"])
        #expect(cbc.encryptionMethods.count == 2)
        #expect(check.encryptionProblems(cbc).map(\.code) == ["encryption-method-unsupported", "encryption-method-unsupported"])
        #expect(check.encryptionProblems(try declaring([XMLEncryption.ContentAlgorithm.aes256GCM.rawValue, XMLEncryption.keyTransport])).isEmpty)
        // Registration with encryption asked reports the problem and writes nothing.
        let admin = RelyingPartyAdmin(stores: h.stores, clock: h.clock, random: h.varco.random, actor: .commandLine, demo: false)
        let metadata = h.metadata("fse").replacingOccurrences(of: "fse.test", with: "cifra.test")
        await #expect(throws: AdminFailure.self) {
            try await admin.registerSAML(metadataXML: metadata, displayName: nil, settings: RelyingPartySettings(encryptAssertion: true))
        }
        #expect(try await h.stores.relyingParties.find(id: "https://cifra.test/metadata") == nil)
    }
}
