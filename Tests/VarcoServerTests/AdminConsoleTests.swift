import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
@testable import VarcoServer

/// The console through the real router: sign-in through Varco's own login, roles checked at every request,
/// the cookie's path and freshness, CSRF, confirmation of destructive actions, and what each change leaves behind.
@Suite struct AdminConsoleTests {
    static let rossi = ServerHarness.citizen.codiceFiscale

    /// Signs in at /admin/login with the authenticator app and follows the ticket back to the console.
    func signIn(_ h: ServerHarness, _ browser: Browser, codeOffset: Int64 = 0) async throws -> TestResponse {
        try await signInWithTicket(h, browser, codeOffset: codeOffset).0
    }

    func signInWithTicket(_ h: ServerHarness, _ browser: Browser, codeOffset: Int64 = 0) async throws -> (TestResponse, String) {
        let start = try await browser.get("/admin/login")
        #expect(start.status == .seeOther)
        let location = try #require(start.headers[.location])
        #expect(location.hasPrefix("/login/"))
        let form = try await browser.get(location + "/otp-app")
        let csrf = try #require(Browser.hidden("csrf", in: form))
        let proved = try await browser.post(location + "/otp-app", form: [
            ("csrf", csrf), ("otp_id", ServerHarness.otpID), ("password", ServerHarness.password), ("code", h.code(stepOffset: codeOffset)),
        ])
        #expect(proved.status == .seeOther)
        let callback = try #require(proved.headers[.location])
        #expect(callback.hasPrefix("/admin/callback?ticket="))
        return (try await browser.get(callback), callback)
    }

    @Test func adminSignsInWithAFreshLoginAndGetsACookieForAdminPagesOnly() async throws {
        let h = try await ServerHarness.make()
        _ = try await h.stores.administration.grant(RoleGrant(codiceFiscale: Self.rossi, role: .admin, grantedBy: "test", granted: h.clock.now()))
        try await h.run { browser in
            let anonymous = try await browser.get("/admin/")
            #expect(String(buffer: anonymous.body).contains("/admin/login"))
            let (callback, ticketURL) = try await signInWithTicket(h, browser)
            #expect(callback.status == .seeOther && callback.headers[.location] == "/admin/")
            let cookie = try #require(browser.lastSetCookies.first { $0.hasPrefix("varco_admin=") })
            #expect(cookie.contains("Path=/admin") && cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict"))
            let home = try await browser.get("/admin/")
            #expect(home.status == .ok)
            let html = String(buffer: home.body)
            #expect(html.contains(h.entityID("fse")) && html.contains("RSSMRA80A01H501U"))
            for page in ["/admin/audit", "/admin/roles", "/admin/keys", "/admin/services/new", "/admin/audit?lang=en"] {
                #expect(try await browser.get(page).status == .ok, "\(page)")
            }
            // The ticket works once.
            let replay = try await browser.get(ticketURL)
            #expect(replay.headers[.location] == "/admin/?accesso=scaduto")
            // After the maximum age a new login is asked.
            h.clock.advance(by: 15 * 60 + 1)
            let stale = try await browser.get("/admin/roles")
            #expect(String(buffer: stale.body).contains("/admin/login"))
        }
        let audit = try await h.stores.audit.search(AuditQuery(kind: .adminSignedIn))
        #expect(audit.first?.subject == "RSSMRA80A01H501U")
    }

    @Test func aCitizenWithoutARoleIsRefusedAndARevokedRoleStopsAtOnce() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let refused = try await signIn(h, browser)
            #expect(refused.headers[.location] == "/admin/?accesso=nessun-ruolo")
            #expect(browser.cookies["varco_admin"] == nil)
            _ = try await h.stores.administration.grant(RoleGrant(codiceFiscale: Self.rossi, role: .admin, grantedBy: "test", granted: h.clock.now()))
            _ = try await signIn(h, browser, codeOffset: 1)
            #expect(try await browser.get("/admin/").status == .ok)
            _ = try await h.stores.administration.revoke(Self.rossi, role: .admin)
            #expect(try await browser.get("/admin/").status == .forbidden)
        }
    }

    @Test func anAuditorReadsButCannotChange() async throws {
        let h = try await ServerHarness.make()
        _ = try await h.stores.administration.grant(RoleGrant(codiceFiscale: Self.rossi, role: .auditor, grantedBy: "test", granted: h.clock.now()))
        try await h.run { browser in
            _ = try await signIn(h, browser)
            let key = SAMLServiceView.key(h.entityID("fse"))
            let page = try await browser.get("/admin/services/\(key)")
            #expect(page.status == .ok)
            #expect(!String(buffer: page.body).contains("/disable"))
            let cookie = try #require(browser.cookies["varco_admin"])
            let token = h.varco.adminCookie.csrf(try #require(h.varco.adminCookie.open(cookie, purpose: "session")))
            let refused = try await browser.post("/admin/services/\(key)/disable", form: [("csrf", token), ("confirm", "1")])
            #expect(refused.status == .forbidden)
            #expect(try await h.stores.relyingParties.find(id: h.entityID("fse"))?.enabled == true)
        }
    }

    @Test func registerByUploadThenDisableWithConfirmationThenRemove() async throws {
        let h = try await ServerHarness.make()
        _ = try await h.stores.administration.grant(RoleGrant(codiceFiscale: Self.rossi, role: .admin, grantedBy: "test", granted: h.clock.now()))
        try await h.run { browser in
            _ = try await signIn(h, browser)
            let form = try await browser.get("/admin/services/new")
            let csrf = try #require(Browser.hidden("csrf", in: form))
            let metadata = h.metadata("fse").replacingOccurrences(of: "fse.test", with: "nuovo.test")
            // Without the CSRF token nothing happens.
            let forged = try await browser.post("/admin/services", form: [("metadata", metadata)])
            #expect(forged.status == .forbidden)
            // A multipart upload, as the browser sends the file field.
            let boundary = "----varcotest"
            let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"metadata_file\"; filename=\"sp.xml\"\r\nContent-Type: text/xml\r\n\r\n\(metadata)\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"display_name\"\r\n\r\nNuovo servizio\r\n--\(boundary)--\r\n"
            let created = try await browser.client.execute(uri: "/admin/services", method: .post,
                                                           headers: [.contentType: "multipart/form-data; boundary=\(boundary)",
                                                                     .cookie: "varco_admin=\(try #require(browser.cookies["varco_admin"]))"],
                                                           body: ByteBuffer(string: body))
            #expect(created.status == .seeOther)
            let id = "https://nuovo.test/metadata"
            #expect(try await h.stores.relyingParties.find(id: id)?.displayName == "Nuovo servizio")
            // The same entityID again is refused with a clear message.
            let again = try await browser.post("/admin/services", form: [("csrf", csrf), ("metadata", metadata)])
            #expect(again.status == .conflict || again.status == .unprocessableContent)
            #expect(String(buffer: again.body).contains("already registered"))
            // Disabling asks for confirmation first.
            let key = SAMLServiceView.key(id)
            let ask = try await browser.post("/admin/services/\(key)/disable", form: [("csrf", csrf)])
            #expect(ask.status == .ok && String(buffer: ask.body).contains("name=\"confirm\""))
            #expect(try await h.stores.relyingParties.find(id: id)?.enabled == true)
            _ = try await browser.post("/admin/services/\(key)/disable", form: [("csrf", csrf), ("confirm", "1")])
            #expect(try await h.stores.relyingParties.find(id: id)?.enabled == false)
            _ = try await browser.post("/admin/services/\(key)/remove", form: [("csrf", csrf), ("confirm", "1")])
            #expect(try await h.stores.relyingParties.find(id: id) == nil)
        }
        try await h.run { browser in
            _ = try await signIn(h, browser, codeOffset: 1)
            let audit = String(buffer: try await browser.get("/admin/audit?service=https://nuovo.test/metadata").body)
            #expect(audit.components(separatedBy: "<details>").count == 4, "before/after shown for the three changes only")
            let all = String(buffer: try await browser.get("/admin/audit?event=adminSignedIn").body)
            #expect(!all.contains("<details>"))
        }
        let changes = try await h.stores.audit.search(AuditQuery(relyingParty: "https://nuovo.test/metadata"))
        #expect(changes.map(\.kind) == [.relyingPartyRemoved, .relyingPartyChanged, .relyingPartyAdded])
        #expect(changes[1].before?.contains("\"enabled\":true") == true && changes[1].after?.contains("\"enabled\":false") == true)
        #expect(changes.allSatisfy { $0.actor == "admin:RSSMRA80A01H501U" })
    }

    @Test func badMetadataGetsOneMessagePerProblemAndChangesNothing() async throws {
        let h = try await ServerHarness.make()
        let admin = RelyingPartyAdmin(stores: h.stores, clock: h.clock, random: h.varco.random, actor: .commandLine, demo: false)
        let cases: [(String, String)] = [
            ("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>", "metadata-doctype"),
            ("not xml at all", "metadata-not-xml"),
            (#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://x.test"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>"#, "metadata-not-sp"),
            (#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://x.test"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>"#, "acs-missing"),
            (h.metadata("fse").replacingOccurrences(of: "https://fse.test/acs", with: "http://fse.test/acs").replacingOccurrences(of: "fse.test/metadata", with: "y.test/metadata"), "acs-not-https"),
            (h.metadata("fse").replacingOccurrences(of: "https://fse.test/acs", with: "http://127.0.0.1:9/acs").replacingOccurrences(of: "fse.test/metadata", with: "z.test/metadata"), "acs-not-https"),
            (h.metadata("fse").replacingOccurrences(of: #"<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\#(h.spKey.certificateBase64)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#, with: "").replacingOccurrences(of: "fse.test/metadata", with: "w.test/metadata"), "signed-requests-without-key"),
            (h.metadata("fse"), "duplicate-entity-id"),
        ]
        let before = try await h.stores.relyingParties.list()
        for (xml, code) in cases {
            do {
                _ = try await admin.registerSAML(metadataXML: xml, displayName: nil)
                Issue.record("\(code) was accepted")
            } catch let failure as AdminFailure {
                #expect(failure.problems.map(\.code).contains(code), "\(code): got \(failure.problems)")
            }
        }
        #expect(try await h.stores.relyingParties.list() == before)
    }

    @Test func registersAnOIDCClientShowingTheSecretOnceAndEditsItsURIs() async throws {
        let h = try await ServerHarness.make()
        _ = try await h.stores.administration.grant(RoleGrant(codiceFiscale: Self.rossi, role: .admin, grantedBy: "test", granted: h.clock.now()))
        try await h.run { browser in
            _ = try await signIn(h, browser)
            let form = try await browser.get("/admin/clients/new")
            #expect(form.status == .ok)
            let csrf = try #require(Browser.hidden("csrf", in: form))
            let refused = try await browser.post("/admin/clients", form: [("csrf", csrf), ("redirect_uris", "https://rp.test/cb#frag")])
            #expect(refused.status == .unprocessableContent && String(buffer: refused.body).contains("fragment"))
            let created = try await browser.post("/admin/clients", form: [("csrf", csrf), ("client_name", "Comune"),
                                                                         ("redirect_uris", "https://rp.test/cb\r\nhttps://rp.test/cb2"),
                                                                         ("auth_method", "client_secret_post")])
            #expect(created.status == .created)
            let html = String(buffer: created.body)
            let clients = try await h.stores.relyingParties.list().compactMap(OIDCClientView.init)
            let client = try #require(clients.first { $0.client_name == "Comune" })
            #expect(client.redirect_uris == ["https://rp.test/cb", "https://rp.test/cb2"] && client.token_endpoint_auth_method == "client_secret_post")
            #expect(html.contains(#"<code id="secret">"#))
            let key = SAMLServiceView.key(client.client_id)
            let detail = try await browser.get("/admin/services/\(key)")
            #expect(!String(buffer: detail.body).contains(#"id="secret""#))
            let edited = try await browser.post("/admin/services/\(key)/uris", form: [("csrf", csrf), ("version", "1"),
                                                                                   ("redirect_uris", "https://rp.test/new"),
                                                                                   ("post_logout_redirect_uris", "https://rp.test/bye"),
                                                                                   ("backchannel_logout_uri", "https://rp.test/bcl")])
            #expect(edited.status == .seeOther)
            let stale = try await browser.post("/admin/services/\(key)/uris", form: [("csrf", csrf), ("version", "1"), ("redirect_uris", "https://rp.test/x")])
            #expect(stale.status == .conflict)
            let stored = try #require(try await h.stores.relyingParties.find(id: client.client_id))
            let after = try #require(OIDCClientView(stored))
            #expect(after.redirect_uris == ["https://rp.test/new"] && after.post_logout_redirect_uris == ["https://rp.test/bye"]
                    && after.backchannel_logout_uri == "https://rp.test/bcl")
        }
    }
}
