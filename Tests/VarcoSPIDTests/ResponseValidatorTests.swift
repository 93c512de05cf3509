import Foundation
import Testing
import VarcoCore
import VarcoSAML
@testable import VarcoSPID

/// Each check of the SPID response rules, one bad response per check, beside the good one.
@Suite struct ResponseValidatorTests {
    let f: SPIDFixture
    init() throws { f = try SPIDFixture() }

    @Test func aCorrectResponseYieldsTheSubjectLevelAndAttributes() throws {
        let assertion = try f.validate(try f.standIn.sign(f.unsigned()))
        #expect(assertion.level == .spidL2)
        #expect(assertion.nameIDFormat == NameIDFormat.transient)
        #expect(assertion.nameQualifier == "https://idp.test")
        #expect(try assertion.codiceFiscale().value == "RSSMRA80A01H501U")
        #expect(assertion.attributes["name"] == "Mario")
        let login = assertion.upstreamLogin(kind: .spid)
        #expect(login.identityProvider == "https://idp.test" && login.sessionIndex != nil)
    }

    @Test func anXMLDeclarationAndMicrosecondsAreAccepted() throws {
        var xml = f.unsigned()
        let instant = SPIDTime.format(f.now)
        xml = xml.replacingOccurrences(of: "IssueInstant=\"\(instant)\" Destination",
                                       with: "IssueInstant=\"\(instant.dropLast(2))123Z\" Destination")
        _ = try f.validate("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + (try f.standIn.sign(xml)))
    }

    @Test func onlyTheAssertionSignedIsEnough() throws {
        _ = try f.validate(try f.standIn.sign(f.unsigned(), response: false))
    }

    @Test func anUnsignedAssertionIsRefused() throws {
        #expect(throws: UpstreamResponseFailure.signature("the assertion is not signed")) {
            try f.validate(try f.standIn.sign(f.unsigned(), assertion: false))
        }
    }

    @Test func aKeyOutsideTheMetadataIsRefusedEvenWithItsCertificateInKeyInfo() throws {
        let forged = try f.attacker.sign(f.unsigned())
        #expect(forged.contains("X509Certificate"), "the attacker's certificate travels in KeyInfo")
        #expect { try f.validate(forged) } throws: { ($0 as? UpstreamResponseFailure).map { if case .signature = $0 { true } else { false } } ?? false }
    }

    @Test func anAlteredSignedAssertionIsRefused() throws {
        let signed = try f.standIn.sign(f.unsigned(), response: false)
        let altered = signed.replacingOccurrences(of: "RSSMRA80A01H501U", with: "BNCGVN80A01H501X")
        #expect { try f.validate(altered) } throws: { ($0 as? UpstreamResponseFailure).map { if case .signature = $0 { true } else { false } } ?? false }
    }

    /// (what is wrong, how the good response is altered before signing)
    static let badResponses: [(String, @Sendable (String, SPIDFixture) -> String)] = [
        ("Response Version 1.0", { x, _ in x.replacingFirst("Version=\"2.0\"", "Version=\"1.0\"") }),
        ("Response ID empty", { x, _ in x.replacingRegex(#"(<samlp:Response [^>]*?) ID="[^"]*""#, "$1 ID=\"\"") }),
        ("Response IssueInstant from 2018", { x, _ in x.replacingRegex(#"(<samlp:Response [^>]*?)IssueInstant="[^"]*""#, "$1IssueInstant=\"2018-01-01T00:00:00Z\"") }),
        ("Response IssueInstant in 2099", { x, _ in x.replacingRegex(#"(<samlp:Response [^>]*?)IssueInstant="[^"]*""#, "$1IssueInstant=\"2099-01-01T00:00:00Z\"") }),
        ("Response IssueInstant not a time", { x, _ in x.replacingRegex(#"(<samlp:Response [^>]*?)IssueInstant="[^"]*""#, "$1IssueInstant=\"yesterday\"") }),
        ("Destination other", { x, _ in x.replacingFirst("Destination=\"https://varco.test/spid/acs\"", "Destination=\"https://evil.test/acs\"") }),
        ("Destination missing", { x, _ in x.replacingFirst("Destination=\"https://varco.test/spid/acs\"", "") }),
        ("InResponseTo other", { x, _ in x.replacingFirst("InResponseTo=\"_request1\"", "InResponseTo=\"_other\"") }),
        ("Response Issuer other", { x, _ in x.replacingFirst(">https://idp.test</saml:Issuer>", ">https://evil.test</saml:Issuer>") }),
        ("Response Issuer Format wrong", { x, _ in x.replacingFirst("<saml:Issuer Format=\"\(NameIDFormat.entity)\">", "<saml:Issuer Format=\"\(NameIDFormat.transient)\">") }),
        ("Status missing", { x, _ in x.replacingRegex("<samlp:Status>.*?</samlp:Status>", "") }),
        ("StatusCode empty", { x, _ in x.replacingFirst(SAMLStatus.TopLevel.success.rawValue, "") }),
        ("Assertion Version", { x, _ in x.replacingRegex(#"(<saml:Assertion [^>]*?)Version="2.0""#, "$1Version=\"1.0\"") }),
        ("Assertion IssueInstant 2018", { x, _ in x.replacingRegex(#"(<saml:Assertion [^>]*?)IssueInstant="[^"]*""#, "$1IssueInstant=\"2018-01-01T00:00:00Z\"") }),
        ("Assertion Issuer other", { x, _ in x.replacingLast(">https://idp.test</saml:Issuer>", ">https://evil.test</saml:Issuer>") }),
        ("Assertion Issuer Format missing", { x, _ in x.replacingLast("<saml:Issuer Format=\"\(NameIDFormat.entity)\">", "<saml:Issuer>") }),
        ("NameID empty", { x, _ in x.replacingRegex(#"(<saml:NameID [^>]*>)[^<]*"#, "$1") }),
        ("NameID not transient", { x, _ in x.replacingFirst("<saml:NameID Format=\"\(NameIDFormat.transient)\"", "<saml:NameID Format=\"\(NameIDFormat.persistent)\"") }),
        ("NameID NameQualifier missing", { x, _ in x.replacingFirst("NameQualifier=\"https://idp.test\"", "") }),
        ("SubjectConfirmation not bearer", { x, _ in x.replacingFirst(SPIDProfile.bearer, "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key") }),
        ("Recipient other", { x, _ in x.replacingFirst("Recipient=\"https://varco.test/spid/acs\"", "Recipient=\"https://evil.test/acs\"") }),
        ("SubjectConfirmationData InResponseTo other", { x, _ in x.replacingLast("InResponseTo=\"_request1\"", "InResponseTo=\"_other\"") }),
        ("SubjectConfirmationData expired", { x, _ in x.replacingRegex(#"(<saml:SubjectConfirmationData [^>]*?)NotOnOrAfter="[^"]*""#, "$1NotOnOrAfter=\"2000-01-01T00:00:00Z\"") }),
        ("Conditions missing", { x, _ in x.replacingRegex("<saml:Conditions .*?</saml:Conditions>", "") }),
        ("Conditions NotBefore in 2099", { x, _ in x.replacingRegex(#"(<saml:Conditions [^>]*?)NotBefore="[^"]*""#, "$1NotBefore=\"2099-01-01T00:00:00Z\"") }),
        ("Conditions NotOnOrAfter past", { x, _ in x.replacingRegex(#"(<saml:Conditions [^>]*?)NotOnOrAfter="[^"]*""#, "$1NotOnOrAfter=\"2000-01-01T00:00:00Z\"") }),
        ("Conditions NotBefore missing", { x, _ in x.replacingRegex(#"(<saml:Conditions [^>]*?)NotBefore="[^"]*""#, "$1") }),
        ("Audience other", { x, _ in x.replacingFirst("<saml:Audience>https://varco.test/spid/metadata</saml:Audience>", "<saml:Audience>https://evil.test</saml:Audience>") }),
        ("AudienceRestriction missing", { x, _ in x.replacingRegex("<saml:AudienceRestriction>.*?</saml:AudienceRestriction>", "") }),
        ("AuthnStatement missing", { x, _ in x.replacingRegex("<saml:AuthnStatement .*?</saml:AuthnStatement>", "") }),
        ("AuthnContextClassRef old form", { x, _ in x.replacingFirst("https://www.spid.gov.it/SpidL2", "urn:oasis:names:tc:SAML:2.0:ac:classes:SpidL2") }),
        ("level below the one asked", { x, _ in x.replacingFirst("https://www.spid.gov.it/SpidL2", "https://www.spid.gov.it/SpidL1") }),
        ("Attribute without value", { x, _ in x.replacingRegex(#"<saml:AttributeValue xsi:type="xs:string">Mario</saml:AttributeValue>"#, "") }),
        ("AttributeStatement empty", { x, _ in x.replacingRegex("<saml:AttributeStatement>.*?</saml:AttributeStatement>", "<saml:AttributeStatement></saml:AttributeStatement>") }),
        ("two assertions", { x, _ in x.replacingRegex("(<saml:Assertion .*?</saml:Assertion>)", "$1$1") }),
        ("a DOCTYPE", { x, _ in "<!DOCTYPE r [<!ENTITY e \"x\">]>" + x }),
    ]

    @Test(arguments: 0..<badResponses.count)
    func eachBadResponseIsRefused(_ index: Int) throws {
        let (name, alter) = Self.badResponses[index]
        let altered = alter(f.unsigned(), f)
        #expect(altered != f.unsigned() || name == "a DOCTYPE", "the alteration '\(name)' changed nothing")
        let signed = (try? f.standIn.sign(altered)) ?? altered
        #expect(throws: UpstreamResponseFailure.self, "\(name)") { try f.validate(signed) }
    }

    @Test func providerErrorCodesReachTheCitizen() throws {
        for code in [19, 20, 21, 22, 23, 25] {
            let xml = f.unsigned().replacingRegex("<samlp:Status>.*?</samlp:Status>",
                "<samlp:Status><samlp:StatusCode Value=\"\(SAMLStatus.TopLevel.responder.rawValue)\"><samlp:StatusCode "
                + "Value=\"\(SAMLStatus.SecondLevel.authnFailed.rawValue)\"/></samlp:StatusCode><samlp:StatusMessage>ErrorCode nr\(code)"
                + "</samlp:StatusMessage></samlp:Status>").replacingRegex("<saml:Assertion .*?</saml:Assertion>", "")
            let signed = try f.standIn.sign(xml)
            do {
                _ = try f.validate(signed)
                Issue.record("nr\(code) accepted")
            } catch {
                #expect(error == .providerStatus(code: SAMLStatus.TopLevel.responder.rawValue, spidErrorCode: code))
                #expect(error.messageKey == "spid_error_nr\(code)")
            }
        }
    }

    @Test(arguments: [
        (LevelOfAssurance.spidL1, "minimum", false), (.spidL2, "minimum", true), (.spidL3, "minimum", true),
        (.spidL2, "exact", true), (.spidL3, "exact", true), (.spidL2, "better", false), (.spidL1, "maximum", true),
    ])
    func levelsFollowTheComparisonRules(_ reached: LevelOfAssurance, _ comparison: String, _ ok: Bool) {
        #expect(UpstreamResponseValidator.acceptable(reached, requested: .spidL2, comparison: comparison) == ok)
    }

    @Test func aHigherLevelThanAskedIsAccepted() throws {
        _ = try f.validate(try f.standIn.sign(f.unsigned(level: .spidL3)))
    }

    @Test func cieMayOmitTheAssertionIssuerFormatButSPIDMayNot() throws {
        let xml = try f.standIn.sign(f.unsigned().replacingLast("<saml:Issuer Format=\"\(NameIDFormat.entity)\">", "<saml:Issuer>"))
        let cie = ServiceProviderEndpoints(kind: .cie, publicURL: "https://varco.test")
        let rebuilt = try f.standIn.sign(f.unsigned().replacingOccurrences(of: "/spid/", with: "/cie/")
            .replacingLast("<saml:Issuer Format=\"\(NameIDFormat.entity)\">", "<saml:Issuer>"))
        _ = try UpstreamResponseValidator(endpoints: cie).validate(Array(rebuilt.utf8), request: f.pending(kind: .cie),
                                                                   provider: f.provider, now: f.now)
        #expect(throws: UpstreamResponseFailure.self) { try f.validate(xml) }
    }

    @Test func aFiscalNumberWithABadCheckCharacterIsRefused() throws {
        let xml = try f.standIn.sign(f.unsigned().replacingFirst("TINIT-RSSMRA80A01H501U", "TINIT-RSSMRA80A01H501A"))
        let assertion = try f.validate(xml)
        #expect(throws: UpstreamResponseFailure.self) { try assertion.codiceFiscale() }
    }
}

extension String {
    func replacingFirst(_ target: String, _ replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }

    func replacingLast(_ target: String, _ replacement: String) -> String {
        guard let range = range(of: target, options: .backwards) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }

    func replacingRegex(_ pattern: String, _ template: String) -> String {
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        guard let match = regex.firstMatch(in: self, range: NSRange(startIndex..., in: self)) else { return self }
        let replacement = regex.replacementString(for: match, in: self, offset: 0, template: template)
        return (self as NSString).replacingCharacters(in: match.range, with: replacement)
    }
}
