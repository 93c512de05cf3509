import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoSAML
import VarcoXML
@testable import VarcoServer

/// Signing-key rollover on a running server: each step, through the API or the command line, is in use without a
/// restart, and key files that are not the deployment's are never used.
@Suite struct KeyRolloverFlowTests {
    func jwksKeyIDs(_ browser: Browser) async throws -> Set<String> {
        let body = try await browser.get("/oidc/jwks").body
        let keys = try #require((try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])?["keys"] as? [[String: Any]])
        return Set(keys.compactMap { $0["kid"] as? String })
    }

    func validator(_ h: ServerHarness, sp: String, certificate: String) throws -> ResponseValidator {
        ResponseValidator(serviceProvider: h.entityID(sp), assertionConsumerServiceURL: h.acs(sp), identityProvider: "https://idp.test/metadata",
                          keys: [try XMLVerificationKey(certificate: certificate)])
    }

    func signedBy(_ certificate: String, _ h: ServerHarness, _ response: TestResponse, sp: String, id: String) throws -> Bool {
        let encoded = try #require(Browser.hidden("SAMLResponse", in: response))
        let xml = try #require(Data(base64Encoded: encoded))
        return (try? validator(h, sp: sp, certificate: certificate).validate(Array(xml), inResponseTo: id, now: h.clock.now())) != nil
    }

    @Test func eachAPIStepIsInUseAtOnceAndAudited() async throws {
        let h = try await ServerHarness.make()
        let token = try await AccessAdmin(stores: h.stores, clock: h.clock, random: h.varco.random, actor: .commandLine)
            .issueToken(name: "keys", role: "admin", lifetimeDays: 30).secret
        let original = try #require(h.varco.signingCertificates.first)
        try await h.run { browser in
            let api = AdminAPITests.Call(client: browser.client, token: token)
            #expect(try await api.send(.post, "/keys/activate").status == .conflict)
            #expect(try await api.send(.post, "/keys/retire").status == .conflict)
            let originalKeyIDs = try await jwksKeyIDs(browser)

            // 1. Published at once, in the metadata and the JWKS; the current key still signs.
            let generated = try await api.send(.post, "/keys/generate-next")
            #expect(generated.status == .ok)
            let listed = try #require(try AdminAPITests.object(generated)["keys"] as? [[String: Any]])
            #expect(listed.count == 6 && listed.filter { $0["state"] as? String == "next" }.count == 3)
            #expect(listed.allSatisfy { $0["since"] is String })
            #expect(try await api.send(.post, "/keys/generate-next").status == .conflict)
            let both = h.varco.signingCertificates
            #expect(both.count == 2 && both[0] == original)
            let metadata = String(buffer: try await browser.get("/metadata").body)
            #expect(both.allSatisfy { metadata.contains($0) })
            #expect(try await jwksKeyIDs(browser).count == 4)
            let first = try await LoginFlowTests().login(h, browser, id: "_k1")
            #expect(try signedBy(original, h, first, sp: "fse", id: "_k1"))

            // 2. The next key signs the very next response; the previous one stays published.
            #expect(try await api.send(.post, "/keys/activate").status == .ok)
            let next = both[1]
            #expect(h.varco.signingCertificates == [next, original])
            let reuse = try await browser.get(try h.ssoURI("bandi", id: "_k2"))
            #expect(try signedBy(next, h, reuse, sp: "bandi", id: "_k2"))
            #expect(try !signedBy(original, h, reuse, sp: "bandi", id: "_k2"))
            #expect(try await jwksKeyIDs(browser).isSuperset(of: originalKeyIDs))
            #expect(!originalKeyIDs.contains(h.varco.oidc.keys.rsaKeyID))

            // 3. Retired: only the new keys are published.
            #expect(try await api.send(.post, "/keys/retire").status == .ok)
            #expect(h.varco.signingCertificates == [next])
            let retiredMetadata = String(buffer: try await browser.get("/metadata").body)
            #expect(!retiredMetadata.contains(original) && retiredMetadata.contains(next))
            #expect(try await jwksKeyIDs(browser).isDisjoint(with: originalKeyIDs))
        }
        let audit = try await h.stores.audit.search(AuditQuery(relyingParty: nil))
        let retired = try #require(audit.first { $0.detail.hasPrefix("previous signing keys retired") })
        #expect(retired.before?.contains(Varco.fingerprint(original)) == true && retired.after?.contains(Varco.fingerprint(original)) == false)
        // A server started on the data directory signs with the same keys as the running one.
        let restarted = try Varco(configuration: h.varco.configuration, stores: h.stores, pages: h.varco.pages,
                                  dataDirectory: try DataDirectory(path: h.varco.configuration.dataDirectory), clock: h.clock,
                                  logger: ServerHarness.quietLogger)
        #expect(restarted.keySetFingerprint == h.varco.keySetFingerprint)
    }

    @Test func theConsoleConfirmsEachStepAndShowsTheKeysInUse() async throws {
        let h = try await ServerHarness.make()
        _ = try await h.stores.administration.grant(RoleGrant(codiceFiscale: AdminConsoleTests.rossi, role: .admin, grantedBy: "test",
                                                               granted: h.clock.now()))
        try await h.run { browser in
            _ = try await AdminConsoleTests().signIn(h, browser)
            let page = try await browser.get("/admin/keys")
            #expect(String(buffer: page.body).contains("in uso (firma)") && !String(buffer: page.body).contains("successiva"))
            let csrf = try #require(Browser.hidden("csrf", in: page))
            let ask = try await browser.post("/admin/keys/generate-next", form: [("csrf", csrf)])
            #expect(ask.status == .ok && String(buffer: ask.body).contains("name=\"confirm\""))
            #expect(h.varco.signingCertificates.count == 1)
            let done = try await browser.post("/admin/keys/generate-next", form: [("csrf", csrf), ("confirm", "1")])
            let html = String(buffer: done.body)
            #expect(done.status == .ok && html.contains("successiva (pubblicata, non ancora in uso)") && html.contains("in uso su questo nodo"))
            #expect(h.varco.signingCertificates.count == 2)
        }
    }

    @Test func aStepTakenFromTheCommandLineIsPickedUpByTheRunningServer() async throws {
        let h = try await ServerHarness.make()
        let reload = SigningKeyReload(varco: h.varco)
        #expect(await reload.check() == .unchanged)
        let cli = Administration(data: try DataDirectory(path: h.varco.configuration.dataDirectory), stores: h.stores)
        try await cli.generateNextKeys(commonName: "idp.test")
        #expect(h.varco.signingCertificates.count == 1)
        #expect(await reload.check() == .applied)
        #expect(h.varco.signingCertificates.count == 2)
        #expect(await reload.check() == .unchanged)
    }

    /// Re-reading only reads: a key or secret missing while it looks (being copied, say) is never generated anew.
    @Test func aKeyFileMissingUnderARunningNodeIsNotReplaced() async throws {
        let h = try await ServerHarness.make()
        let reload = SigningKeyReload(varco: h.varco)
        #expect(await reload.check() == .unchanged)
        let data = try DataDirectory(path: h.varco.configuration.dataDirectory)
        let before = h.varco.keySetFingerprint
        for name in ["pairwise.secret", "saml-signing.key.pem", "oidc-rs256.key.pem"] {
            let path = data.file(name), aside = path + ".aside"
            try FileManager.default.moveItem(atPath: path, toPath: aside)
            #expect(await reload.check() == .failed, "\(name)")
            #expect(!FileManager.default.fileExists(atPath: path), "\(name) was generated anew")
            try FileManager.default.moveItem(atPath: aside, toPath: path)
        }
        #expect(await reload.check() == .unchanged && h.varco.keySetFingerprint == before)
    }

    @Test func keyFilesThatAreNotTheDeploymentsKeySetAreNotUsed() async throws {
        let h = try await ServerHarness.make()
        let reload = SigningKeyReload(varco: h.varco)
        #expect(await reload.check() == .unchanged)  // records this node's key set as the deployment's
        let before = h.varco.keySetFingerprint
        // Files changed without recording the change, as on a node that got the wrong files.
        try DataDirectory(path: h.varco.configuration.dataDirectory).generateNextKeys(commonName: "idp.test")
        #expect(await reload.check() == .differsFromDeployment)
        #expect(h.varco.keySetFingerprint == before && h.varco.signingCertificates.count == 1)
    }
}
