import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoOTP
@testable import VarcoServer

/// The counter's issuance page: the operator's token is required, problems are listed in Italian next to
/// the form with what was typed kept, and a valid issuance shows the paper half of the temporary password.
@Suite struct OperatorPageTests {
    static let minor: [(String, String)] = [
        ("codice_fiscale", "RSSLCU12E10F205G"), ("given_name", "Lucia"), ("family_name", "Rossi"), ("birth_date", "2012-05-10"),
        ("card_number", "80380001100000123456"), ("mobile", "+393471112233"), ("minor", "on"), ("representative_cf", "RSSMRA80A01H501U"),
    ]

    @Test func operatorIssuesCredentialsFromTheCounterPage() async throws {
        let (h, varco) = try await OTPLifecycleFlowTests.harness()
        let token = "counter-token"
        try await h.stores.otp.operators.insert(OTPOperator(name: "sportello-1", tokenHash: SHA256Hex.of(token), created: h.clock.now()))
        let app = Application(router: try VarcoServer.router(for: varco))
        try await app.test(.router) { client in
            let browser = Browser(client: client)
            let form = try await browser.get("/sportello")
            #expect(form.status == .ok)
            #expect(String(buffer: form.body).contains("Rilascia le credenziali"))

            let anonymous = try await browser.post("/sportello", form: Self.minor + [("token", "wrong")])
            #expect(anonymous.status == .unauthorized)
            #expect(String(buffer: anonymous.body).contains("Codice operatore mancante o non valido"))

            var invalid = Self.minor + [("token", token)]
            invalid[0] = ("codice_fiscale", "RSSMRO62B25E205Y")
            let refused = try await browser.post("/sportello", form: invalid)
            #expect(refused.status == .unprocessableContent)
            let refusedPage = String(buffer: refused.body)
            #expect(refusedPage.contains("codice fiscale"))
            #expect(refusedPage.contains(#"value="RSSMRO62B25E205Y""#))
            #expect(!refusedPage.contains(token))

            let issued = try await browser.post("/sportello", form: Self.minor + [("token", token)])
            #expect(issued.status == .ok)
            let page = String(buffer: issued.body)
            #expect(page.contains("0000123456"))
            #expect(page.contains(#"id="paper-half""#))
        }
        let credential = try #require(try await h.stores.otpCredentials.find(id: "0000123456"))
        #expect(credential.status == .pendingFirstAccess)
        #expect(credential.issuedBy == "sportello-1")
        #expect(try await h.stores.otpCredentials.find(id: "0000123456") != nil)
    }

    @Test func anAPITokenOfTheOperatorRoleWorksAtTheCounterAndOthersDoNot() async throws {
        let (h, varco) = try await OTPLifecycleFlowTests.harness()
        let access = AccessAdmin(stores: h.stores, clock: h.clock, random: varco.random, actor: .commandLine)
        let operatorToken = try await access.issueToken(name: "sportello-2", role: "operator", lifetimeDays: 30).secret
        let auditorToken = try await access.issueToken(name: "revisore", role: "auditor", lifetimeDays: 30).secret
        let app = Application(router: try VarcoServer.router(for: varco))
        try await app.test(.router) { client in
            let browser = Browser(client: client)
            let refused = try await browser.post("/sportello", form: Self.minor + [("token", auditorToken)])
            #expect(refused.status == .unauthorized)
            let accepted = try await browser.post("/sportello", form: Self.minor + [("token", operatorToken)])
            #expect(accepted.status == .ok)
        }
        let issued = try await h.stores.otpCredentials.find(id: "0000123456")
        #expect(issued?.issuedBy == "token:sportello-2")
    }
}
