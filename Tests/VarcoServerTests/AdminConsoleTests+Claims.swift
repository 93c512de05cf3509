import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoOIDC
@testable import VarcoServer

/// The claims released to an OIDC client, edited on its console page.
extension AdminConsoleTests {
    @Test func theClientPageEditsTheClaimsReleasedAndTheAuditShowsBeforeAndAfter() async throws {
        let h = try await ServerHarness.make()
        _ = try await h.stores.administration.grant(RoleGrant(codiceFiscale: Self.rossi, role: .admin, grantedBy: "test", granted: h.clock.now()))
        let registry = OIDCClientRegistry(stores: h.stores, clock: h.clock, random: h.varco.random, actor: "test")
        let clientID = try await registry.add(.init(redirectURIs: ["https://rp.test/cb"], name: "Prenotazioni")).clientID
        let key = SAMLServiceView.key(clientID)
        try await h.run { browser in
            _ = try await signIn(h, browser)
            let page = try await browser.get("/admin/services/\(key)")
            let html = String(buffer: page.body)
            #expect(html.contains("Claim rilasciati") && html.contains(#"name="claim_fiscal_number""#) && html.contains("Codice fiscale"))
            #expect(!html.contains(#"name="claim_fiscal_number" checked"#), "no limit: no box ticked")
            let english = String(buffer: try await browser.get("/admin/services/\(key)?lang=en").body)
            #expect(english.contains("Claims released") && english.contains("Fiscal code"))
            let csrf = try #require(Browser.hidden("csrf", in: page))
            // Without the CSRF token nothing changes.
            let forged = try await browser.post("/admin/services/\(key)/settings", form: [("version", "1"), ("claim_fiscal_number", "on")])
            #expect(forged.status == .forbidden)
            #expect(try await h.stores.relyingParties.find(id: clientID)?.settings.releasedAttributes == nil)

            let saved = try await browser.post("/admin/services/\(key)/settings", form: [("csrf", csrf), ("version", "1"), ("display_name", "Prenotazioni"),
                                                                                     ("claim_fiscal_number", "on"), ("claim_place_of_birth", "on")])
            #expect(saved.status == .seeOther)
            #expect(try await h.stores.relyingParties.find(id: clientID)?.settings.releasedAttributes == [.fiscalNumber, .placeOfBirth, .countyOfBirth])
            let shown = String(buffer: try await browser.get("/admin/services/\(key)").body)
            #expect(shown.contains(#"name="claim_fiscal_number" checked"#) && shown.contains(#"name="claim_place_of_birth" checked"#))
            #expect(!shown.contains(#"name="claim_email" checked"#))

            // No box ticked: back to every claim the scopes allow.
            _ = try await browser.post("/admin/services/\(key)/settings", form: [("csrf", csrf), ("version", "2"), ("display_name", "Prenotazioni")])
            #expect(try await h.stores.relyingParties.find(id: clientID)?.settings.releasedAttributes == nil)
        }
        let changes = try await h.stores.audit.search(AuditQuery(relyingParty: clientID, kind: .relyingPartyChanged))
        #expect(changes.count == 2)
        let limited = try #require(changes.last)
        #expect(limited.actor == "admin:RSSMRA80A01H501U")
        #expect(limited.before?.contains("releasedAttributes") == false)
        #expect(limited.after?.contains(#""releasedAttributes":["fiscalNumber","placeOfBirth","countyOfBirth"]"#) == true)
    }

    @Test func aClientRegisteredInTheConsoleGetsTheClaimsTickedOnTheForm() async throws {
        let h = try await ServerHarness.make()
        _ = try await h.stores.administration.grant(RoleGrant(codiceFiscale: Self.rossi, role: .admin, grantedBy: "test", granted: h.clock.now()))
        try await h.run { browser in
            _ = try await signIn(h, browser)
            let form = try await browser.get("/admin/clients/new")
            let html = String(buffer: form.body)
            #expect(html.contains("Claim rilasciati") && html.contains("Codice fiscale") && !html.contains(" checked>"))
            let csrf = try #require(Browser.hidden("csrf", in: form))
            // A refused form keeps the boxes ticked.
            let refused = try await browser.post("/admin/clients", form: [("csrf", csrf), ("redirect_uris", "https://rp.test/cb#x"),
                                                                           ("claim_email", "on")])
            #expect(refused.status == .unprocessableContent && String(buffer: refused.body).contains(#"name="claim_email" checked"#))
            let created = try await browser.post("/admin/clients", form: [("csrf", csrf), ("client_name", "Prenota"),
                                                                           ("redirect_uris", "https://rp.test/cb"), ("claim_fiscal_number", "on")])
            #expect(created.status == .created)
            let clients = try await h.stores.relyingParties.list().filter { $0.kind == .oidcClient && $0.displayName == "Prenota" }
            #expect(clients.count == 1 && clients.first?.settings.releasedAttributes == [.fiscalNumber])
        }
    }

    @Test func theCommandLineSetsTheClaimsAtRegistrationAndLaterWithTheAudit() async throws {
        let h = try await ServerHarness.make()
        let registry = OIDCClientRegistry(stores: h.stores, clock: h.clock, random: h.varco.random, actor: "cli")
        let clientID = try await registry.add(.init(redirectURIs: ["https://rp.test/cb"], releasedClaims: [.email])).clientID
        #expect(try await h.stores.relyingParties.find(id: clientID)?.settings.releasedAttributes == [.email])
        try await registry.setReleasedClaims(clientID, [.fiscalNumber, .phoneNumber])
        let party = try #require(try await h.stores.relyingParties.find(id: clientID))
        #expect(party.settings.releasedAttributes == [.fiscalNumber, .mobilePhone] && party.version == 2)
        try await registry.setReleasedClaims(clientID, nil)
        #expect(try await h.stores.relyingParties.find(id: clientID)?.settings.releasedAttributes == nil)
        let changes = try await h.stores.audit.search(AuditQuery(relyingParty: clientID, kind: .relyingPartyChanged))
        #expect(changes.count == 2 && changes.allSatisfy { $0.actor == "cli" && $0.detail == "claims released changed" })
        #expect(changes.last?.before?.contains(#""releasedAttributes":["email"]"#) == true)
        #expect(changes.last?.after?.contains(#""releasedAttributes":["fiscalNumber","mobilePhone"]"#) == true)
        await #expect(throws: Administration.Failure.self) { try await registry.setReleasedClaims("nobody", nil) }
        #expect(throws: Administration.Failure.self) { try Administration.claims(["email", "codice_segreto"]) }
    }
}
