import Foundation
import Testing
import VarcoCore
@testable import VarcoSAML
import VarcoXML

private func refusal(_ outcome: RequestOutcome) -> Refusal.Kind? {
    if case .refuse(let refusal) = outcome { return refusal.kind }
    return nil
}

private func reply(_ outcome: RequestOutcome) -> SAMLStatus? {
    if case .respond(let reply) = outcome { return reply.status }
    return nil
}

private func login(_ outcome: RequestOutcome) -> SAMLLoginRequest? {
    if case .login(let request) = outcome { return request }
    return nil
}

@Suite struct AuthnRequestReceiverTests {
    @Test func signedPostRequestStartsALogin() async throws {
        let f = SAMLFixture()
        await f.register()
        let request = try #require(login(try await f.receiver.receive(try f.signedPost(f.request()))))
        #expect(request.assertionConsumerServiceURL == f.acs)
        #expect(request.relayState == "state")
        #expect(request.nameIDFormat == NameIDFormat.transient)
        #expect(request.requirement.acceptableLevels == Set(LevelOfAssurance.allCases))
    }

    @Test func signedRedirectRequestStartsALogin() async throws {
        let f = SAMLFixture()
        await f.register()
        let message = try RedirectBinding.decode(query: try f.redirectQuery(f.request()))
        #expect(login(try await f.receiver.receive(message)) != nil)
    }

    @Test func unknownIssuerIsRefusedWithoutRedirect() async throws {
        let f = SAMLFixture()
        await f.register()
        #expect(refusal(try await f.receiver.receive(try f.signedPost(f.request(issuer: "https://evil.test")))) == .unknownService)
    }

    @Test func unregisteredACSURLIsRefused() async throws {
        let f = SAMLFixture()
        await f.register()
        let outcome = try await f.receiver.receive(try f.signedPost(f.request(acsURL: "https://evil.test/acs")))
        #expect(refusal(outcome) == .unknownAssertionConsumerService)
    }

    @Test func missingSignatureIsRefusedWhenTheMetadataSaysSigned() async throws {
        let f = SAMLFixture()
        await f.register(signed: true)
        #expect(refusal(try await f.receiver.receive(f.post(f.request()))) == .missingSignature)
    }

    @Test func unsignedRequestIsAcceptedWhenNotRequired() async throws {
        let f = SAMLFixture()
        await f.register(signed: false)
        #expect(login(try await f.receiver.receive(f.post(f.request(destination: nil)))) != nil)
    }

    @Test func signatureByAnotherKeyIsRefused() async throws {
        let f = SAMLFixture()
        await f.register()
        #expect(refusal(try await f.receiver.receive(try f.signedPost(f.request(), key: f.strangerKey))) == .badSignature)
        let redirect = try RedirectBinding.decode(query: try f.redirectQuery(f.request(id: "_r2"), key: f.strangerKey))
        #expect(refusal(try await f.receiver.receive(redirect)) == .badSignature)
    }

    @Test func tamperedSignedRequestIsRefused() async throws {
        let f = SAMLFixture()
        await f.register()
        var message = try f.signedPost(f.request())
        message.xml = Array(String(decoding: message.xml, as: UTF8.self)
            .replacingOccurrences(of: "ID=\"_r1\" Version", with: "ID=\"_r1\" ForceAuthn=\"true\" Version").utf8)
        #expect(refusal(try await f.receiver.receive(message)) == .badSignature)
    }

    @Test func wrappedRequestIsRefused() async throws {
        // An unsigned AuthnRequest (pointing at the attacker's ACS) wrapped around the signed one.
        let f = SAMLFixture()
        await f.register()
        let signed = String(decoding: try f.signedPost(f.request()).xml, as: UTF8.self)
            .replacingOccurrences(of: #"<?xml version="1.0" encoding="UTF-8"?>"#, with: "")
        let wrapper = f.request(id: "_outer", acsURL: "https://evil.test/acs", body: "<samlp:Extensions>\(signed)</samlp:Extensions>")
        let outcome = try await f.receiver.receive(f.post(wrapper))
        #expect(refusal(outcome) == .missingSignature)
    }

    @Test func replayedRequestIDIsRefused() async throws {
        let f = SAMLFixture()
        await f.register()
        let message = try f.signedPost(f.request())
        #expect(login(try await f.receiver.receive(message)) != nil)
        #expect(refusal(try await f.receiver.receive(message)) == .replayedRequest)
    }

    @Test func staleIssueInstantIsAnsweredWithRequester() async throws {
        let f = SAMLFixture()
        await f.register()
        let stale = f.request(instant: f.clock.now().addingTimeInterval(-3600))
        #expect(reply(try await f.receiver.receive(try f.signedPost(stale)))?.code == .requester)
        let future = f.request(id: "_r2", instant: f.clock.now().addingTimeInterval(3600))
        #expect(reply(try await f.receiver.receive(try f.signedPost(future)))?.code == .requester)
    }

    @Test func wrongDestinationIsAnsweredWithRequester() async throws {
        let f = SAMLFixture()
        await f.register()
        let outcome = try await f.receiver.receive(try f.signedPost(f.request(destination: "https://other.test/sso")))
        #expect(reply(outcome)?.code == .requester)
    }

    @Test func signedRequestWithoutDestinationIsAnsweredWithRequester() async throws {
        let f = SAMLFixture()
        await f.register()
        #expect(reply(try await f.receiver.receive(try f.signedPost(f.request(destination: nil))))?.code == .requester)
    }

    @Test func otherVersionIsAnsweredWithVersionMismatch() async throws {
        let f = SAMLFixture()
        await f.register()
        #expect(reply(try await f.receiver.receive(try f.signedPost(f.request(version: "1.1"))))?.code == .versionMismatch)
    }

    @Test func unsupportedNameIDFormatIsAnsweredWithInvalidNameIDPolicy() async throws {
        let f = SAMLFixture()
        await f.register()
        let body = #"<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"/>"#
        #expect(reply(try await f.receiver.receive(try f.signedPost(f.request(body: body))))?.subcode == .invalidNameIDPolicy)
    }

    static let contexts: [(String, [String], Set<LevelOfAssurance>)] = [
        ("exact", ["https://www.spid.gov.it/SpidL2"], [.spidL2]),
        ("minimum", ["https://www.spid.gov.it/SpidL2"], [.spidL2, .spidL3]),
        ("better", ["https://www.spid.gov.it/SpidL1"], [.spidL2, .spidL3]),
        ("maximum", ["https://www.spid.gov.it/SpidL2"], [.spidL1, .spidL2]),
        ("exact", ["urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"], [.spidL1]),
        ("minimum", ["urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"], [.spidL3]),
    ]

    @Test(arguments: contexts)
    func requestedAuthnContextBecomesAcceptableLevels(comparison: String, refs: [String], expected: Set<LevelOfAssurance>) async throws {
        let f = SAMLFixture()
        await f.register()
        let classes = refs.map { "<saml:AuthnContextClassRef>\($0)</saml:AuthnContextClassRef>" }.joined()
        let body = #"<samlp:RequestedAuthnContext Comparison="\#(comparison)">\#(classes)</samlp:RequestedAuthnContext>"#
        let request = try #require(login(try await f.receiver.receive(try f.signedPost(f.request(body: body)))))
        #expect(request.requirement.acceptableLevels == expected)
    }

    @Test func unknownAuthnContextIsAnsweredWithNoAuthnContext() async throws {
        let f = SAMLFixture()
        await f.register()
        let body = #"<samlp:RequestedAuthnContext><saml:AuthnContextClassRef>urn:example:unknown</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>"#
        #expect(reply(try await f.receiver.receive(try f.signedPost(f.request(body: body))))?.subcode == .noAuthnContext)
    }

    @Test func serviceMinimumLevelAppliesWhateverItAsks() async throws {
        let f = SAMLFixture()
        await f.register(settings: RelyingPartySettings(minimumLevel: .spidL2))
        let request = try #require(login(try await f.receiver.receive(try f.signedPost(f.request()))))
        #expect(request.requirement.acceptableLevels == [.spidL2, .spidL3])
    }

    @Test func sha1RedirectSignatureIsRefusedUnlessLegacy() async throws {
        let f = SAMLFixture()
        await f.register()
        let xml = f.request()
        let compressed = RawDeflate.deflate(Array(xml.utf8))
        var query = "SAMLRequest=\(URLEncodedForm.encode(Data(compressed).base64EncodedString()))"
        query += "&SigAlg=\(URLEncodedForm.encode(RawSignature.Algorithm.rsaSHA1.rawValue))"
        let signature = try RawSignature.sign(Array(query.utf8), algorithm: .rsaSHA1, key: f.spKey)
        query += "&Signature=\(URLEncodedForm.encode(Data(signature).base64EncodedString()))"
        let message = try RedirectBinding.decode(query: Substring(query))
        #expect(refusal(try await f.receiver.receive(message)) == .badSignature)

        let legacy = SAMLFixture()
        await legacy.register(settings: RelyingPartySettings(allowLegacySHA1: true))
        #expect(login(try await legacy.receiver.receive(message)) != nil)
    }

    @Test func doctypeInRequestIsRefused() async throws {
        let f = SAMLFixture()
        await f.register()
        let xml = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" + f.request(body: "&e;")
        #expect(refusal(try await f.receiver.receive(f.post(xml))) == .malformedMessage)
    }

    @Test func storedRelyingPartiesAreUntouchedByRefusals() async throws {
        let f = SAMLFixture()
        await f.register()
        _ = try await f.receiver.receive(f.post("<broken"))
        _ = try await f.receiver.receive(try f.signedPost(f.request(issuer: "https://evil.test")))
        #expect(await f.parties.list().map(\.id) == [f.spEntityID])
    }
}

@Suite struct BindingTests {
    @Test func deflateBombStopsAtTheLimit() throws {
        let bomb = RawDeflate.deflate(Array(repeating: UInt8(ascii: "a"), count: 10_000_000))
        let query = "SAMLRequest=\(URLEncodedForm.encode(Data(bomb).base64EncodedString()))"
        #expect(throws: BindingError.tooLarge) { try RedirectBinding.decode(query: Substring(query)) }
    }

    @Test func duplicateParametersAreRefused() {
        #expect(throws: BindingError.duplicateParameter("SAMLRequest")) {
            try RedirectBinding.decode(query: "SAMLRequest=abc&SAMLRequest=def")
        }
    }

    @Test func malformedBase64IsRefused() {
        #expect(throws: BindingError.badEncoding) { try RedirectBinding.decode(query: "SAMLRequest=%%%%") }
        #expect(throws: BindingError.badBase64) { try RedirectBinding.decode(query: "SAMLRequest=not*base64") }
    }

    @Test func corruptDeflateIsRefused() {
        let query = "SAMLRequest=\(URLEncodedForm.encode(Data("plain text".utf8).base64EncodedString()))"
        #expect(throws: BindingError.badDeflate) { try RedirectBinding.decode(query: Substring(query)) }
    }

    @Test func missingMessageIsRefused() {
        #expect(throws: BindingError.missingMessage) { try RedirectBinding.decode(query: "RelayState=x") }
    }

    @Test func oversizedPostMessageIsRefused() throws {
        let huge = String(repeating: "A", count: 200_000)
        let form = try URLEncodedForm("SAMLRequest=\(huge)")
        #expect(throws: BindingError.tooLarge) { try PostBinding.decode(form: form) }
    }
}
