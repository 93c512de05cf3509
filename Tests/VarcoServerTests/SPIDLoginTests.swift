import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VarcoCore
import VarcoSAML
@testable import VarcoServer
import VarcoSPID
import VarcoXML

/// A service's login through SPID, through the real router: the chooser link, the signed AuthnRequest,
/// the provider's Response at the ACS, the service's assertion at the level reached; then a replay, and
/// the upstream logout the session makes possible.
@Suite struct SPIDLoginTests {
    static let providerIdentity = try! SelfSignedIdentity.generate(commonName: "spid-idp.test")
    static let provider = "https://spid-idp.test/metadata"
    static let citizen = "BNCGLI85M41H501Y"

    /// The harness's stores and clock, with a Varco that trusts a stand-in SPID provider (test setting).
    static func harness() async throws -> (ServerHarness, Varco, StandInIdentityProvider) {
        let h = try await ServerHarness.make()
        let key = try XMLSigningKey(privateKeyPEM: providerIdentity.privateKeyPEM, certificatePEM: providerIdentity.certificatePEM)
        let standIn = StandInIdentityProvider(entityID: provider, ssoURL: "https://spid-idp.test/sso", key: key,
                                              displayName: "Test IdP", sloURL: "https://spid-idp.test/slo")
        let metadata = "<md:EntityDescriptor xmlns:md=\"\(SAMLNamespace.metadata)\" xmlns:ds=\"\(SAMLNamespace.dsig)\" entityID=\"\(provider)\">"
            + "<md:IDPSSODescriptor protocolSupportEnumeration=\"\(SAMLNamespace.protocol_)\"><md:KeyDescriptor use=\"signing\"><ds:KeyInfo>"
            + "<ds:X509Data><ds:X509Certificate>\(key.certificateBase64)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            + "<md:SingleLogoutService Binding=\"\(SAMLBinding.httpRedirect.rawValue)\" Location=\"https://spid-idp.test/slo\"/>"
            + "<md:SingleSignOnService Binding=\"\(SAMLBinding.httpRedirect.rawValue)\" Location=\"https://spid-idp.test/sso\"/>"
            + "</md:IDPSSODescriptor></md:EntityDescriptor>"
        var configuration = h.varco.configuration
        let file = (configuration.dataDirectory as NSString).appendingPathComponent("test-idp.xml")
        try metadata.write(toFile: file, atomically: true, encoding: .utf8)
        configuration.upstream.testSPIDMetadata = [file]
        let varco = try Varco(configuration: configuration, stores: h.stores, pages: h.varco.pages,
                              dataDirectory: try DataDirectory(path: configuration.dataDirectory), clock: h.clock,
                              logger: ServerHarness.quietLogger)
        #expect(await varco.upstream.refreshMetadata().isEmpty)
        return (h, varco, standIn)
    }

    static func run(_ varco: Varco, _ test: @Sendable (Browser) async throws -> Void) async throws {
        let app = Application(router: try VarcoServer.router(for: varco))
        try await app.test(.router) { client in try await test(Browser(client: client)) }
    }

    @Test func aServiceGetsTheCitizenAtTheLevelTheSPIDProviderReached() async throws {
        let (h, varco, standIn) = try await Self.harness()
        try await Self.run(varco) { browser in
            let start = try await browser.get(try h.ssoURI("fse", id: "_s1", level: .spidL2))
            let login = try #require(start.headers[.location])
            let page = String(buffer: try await browser.get(login).body)
            #expect(page.contains("Entra con SPID") && page.contains(">\(Self.provider)</a>"))
            let toProvider = try await browser.get(login + "/spid?idp=" + URLEncodedForm.encode(Self.provider))
            #expect(toProvider.status == .found)
            let location = try #require(toProvider.headers[.location])
            #expect(location.hasPrefix("https://spid-idp.test/sso?SAMLRequest="))
            let message = try RedirectBinding.decode(query: Substring(location.split(separator: "?", maxSplits: 1)[1]))
            let request = try #require(StandInIdentityProvider.read(message.xml))
            #expect(request.level == .spidL2 && request.issuer == varco.upstream.spid.entityID)
            #expect(message.redirectSignature != nil)

            let sp = varco.upstream.spid
            let xml = try standIn.response(inResponseTo: request.id, audience: sp.entityID, acsURL: sp.assertionConsumerServiceURL,
                                           level: .spidL3, attributes: [("fiscalNumber", "TINIT-\(Self.citizen)"), ("name", "Giulia"),
                                                                        ("familyName", "Bianchi")],
                                           now: h.clock.now(), random: SystemRandomSource())
            let form = [("SAMLResponse", Data(xml.utf8).base64EncodedString()), ("RelayState", message.relayState ?? "")]
            let answer = try await browser.post("/spid/acs", form: form)
            #expect(answer.status == .ok)
            let encoded = try #require(Browser.hidden("SAMLResponse", in: answer))
            let assertion = try h.validator("fse").validate(Array(try #require(Data(base64Encoded: encoded))), inResponseTo: "_s1",
                                                           now: h.clock.now())
            #expect(assertion.attributes["fiscalNumber"] == "TINIT-\(Self.citizen)")
            #expect(assertion.attributes["familyName"] == "Bianchi")
            #expect(assertion.authnContextClassRef == LevelOfAssurance.spidL3.uri)

            let sessionID = try #require(browser.cookies["varco_session"])
            let session = try #require(try await h.stores.sessions.find(id: sessionID))
            #expect(session.method == .spid && session.level == .spidL3)
            let upstream = try #require(session.upstream)
            #expect(upstream.kind == .spid && upstream.identityProvider == Self.provider && upstream.sessionIndex != nil)

            // The same response again: refused with an error page, no new session, an audit entry.
            let replay = try await browser.post("/spid/acs", form: form)
            #expect(replay.status == .forbidden)
            #expect(browser.cookies["varco_session"] == sessionID)
            let audit = try await h.stores.audit.recent(limit: 5)
            #expect(audit.contains { $0.kind == .loginFailed && $0.detail.contains("response refused") })
            #expect(try await h.stores.upstream.archive.recent(limit: 5).map(\.outcome).first?.contains("no pending request") == true)

            // Single logout toward the provider: a signed LogoutRequest naming the upstream NameID and SessionIndex.
            let logout = try await varco.upstreamLogout(for: session, browser: try #require(browser.cookies["varco_browser"]))
            guard case .redirect(let sloURL)? = logout else { Issue.record("no upstream logout redirect"); return }
            #expect(sloURL.hasPrefix("https://spid-idp.test/slo?SAMLRequest="))
            let logoutMessage = try RedirectBinding.decode(query: Substring(sloURL.split(separator: "?", maxSplits: 1)[1]))
            let logoutXML = String(decoding: logoutMessage.xml, as: UTF8.self)
            #expect(logoutXML.contains(upstream.nameID) && logoutXML.contains(upstream.sessionIndex ?? "-"))
            #expect(logoutMessage.redirectSignature != nil)
        }
    }

    @Test func anUnsolicitedResponseEndsInAnErrorPageWithoutSession() async throws {
        let (h, varco, standIn) = try await Self.harness()
        try await Self.run(varco) { browser in
            let sp = varco.upstream.spid
            let xml = try standIn.response(inResponseTo: "_never-sent", audience: sp.entityID, acsURL: sp.assertionConsumerServiceURL,
                                           level: .spidL2, attributes: [("fiscalNumber", "TINIT-\(Self.citizen)")],
                                           now: h.clock.now(), random: SystemRandomSource())
            let answer = try await browser.post("/spid/acs", form: [("SAMLResponse", Data(xml.utf8).base64EncodedString())])
            #expect(answer.status == .forbidden)
            #expect(String(buffer: answer.body).contains("non corrisponde a un accesso avviato da questo browser"))
            #expect(browser.cookies["varco_session"] == nil)
        }
    }

    @Test func metadataOfBothServiceProvidersIsPublished() async throws {
        let (_, varco, _) = try await Self.harness()
        try await Self.run(varco) { browser in
            for kind in ["spid", "cie"] {
                let response = try await browser.get("/\(kind)/metadata")
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("entityID=\"https://idp.test/\(kind)/metadata\""))
            }
        }
    }
}
