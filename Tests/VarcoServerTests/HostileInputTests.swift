import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VarcoCore
import VarcoSAML
import VarcoXML
@testable import VarcoServer

/// Hostile or broken input gets a 4xx page in Italian, never a 500, never a redirect, never a session.
@Suite struct HostileInputTests {
    static let hostile: [String] = [
        "/sso",
        "/sso?SAMLRequest=",
        "/sso?SAMLRequest=%%%",
        "/sso?SAMLRequest=bm90IGRlZmxhdGU%3D",
        "/sso?SAMLRequest=abc&SAMLRequest=def",
        "/sso?SAMLRequest=" + URLEncodedForm.encode(Data(RawDeflate.deflate(Array("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>".utf8))).base64EncodedString()),
        "/sso?SAMLRequest=" + URLEncodedForm.encode(Data(RawDeflate.deflate(Array(repeating: 65, count: 5_000_000))).base64EncodedString()),
        "/login/does-not-exist",
        "/login/does-not-exist/otp-app",
    ]

    @Test(arguments: hostile)
    func hostileRequestGetsAClientErrorPage(_ uri: String) async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let response = try await browser.get(uri)
            #expect((400..<500).contains(response.status.code))
            #expect(response.headers[.location] == nil)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(buffer: response.body).contains("lang=\"it\""))
            #expect(browser.cookies["varco_session"] == nil)
        }
    }

    @Test func unregisteredACSIsRefusedWithoutRedirect() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let response = try await browser.get(try h.ssoURI("fse", id: "_x1", acsURL: "https://evil.test/acs"))
            #expect(response.status == .badRequest)
            #expect(!String(buffer: response.body).contains("evil.test"))
        }
    }

    @Test func unknownServiceIsRefusedInItalianOrEnglish() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let italian = try await browser.get(try h.ssoURI("unknown", id: "_x2"))
            #expect(italian.status == .badRequest)
            #expect(String(buffer: italian.body).contains("non è registrato"))
            let english = try await browser.get(try h.ssoURI("unknown", id: "_x3") + "&lang=en")
            #expect(String(buffer: english.body).contains("is not registered"))
        }
        #expect(try await h.stores.audit.recent(limit: 5).contains { $0.kind == .requestRejected })
    }

    @Test func replayedRequestIsRefused() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let uri = try h.ssoURI("fse", id: "_x4")
            #expect(try await browser.get(uri).status == .seeOther)
            #expect(try await browser.get(uri).status == .badRequest)
        }
    }

    @Test func pagesCarryTheSecurityHeaders() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let response = try await browser.get(try h.ssoURI("fse", id: "_x5"))
            let page = try await browser.get(try #require(response.headers[.location]))
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test func metadataIsSignedWithTheActiveKey() async throws {
        let h = try await ServerHarness.make()
        try await h.run { browser in
            let response = try await browser.get("/metadata")
            #expect(response.headers[.contentType] == "application/samlmetadata+xml")
            let document = try XMLDocument(string: String(buffer: response.body))
            let key = try XMLVerificationKey(certificate: h.varco.signingKey.certificateBase64)
            let verified = try EnvelopedSignature.verify(document.root, keys: [key])
            #expect(verified.root.attribute("entityID") == "https://idp.test/metadata")
        }
    }
}

