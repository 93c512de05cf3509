import Testing
@testable import VarcoXML

private let samlp = "urn:oasis:names:tc:SAML:2.0:protocol"
private let saml = "urn:oasis:names:tc:SAML:2.0:assertion"

private let identity = try! SelfSignedIdentity.generate(commonName: "idp.test")
private let attacker = try! SelfSignedIdentity.generate(commonName: "attacker.test")

private func signingKey(_ id: SelfSignedIdentity = identity) throws -> XMLSigningKey {
    try XMLSigningKey(privateKeyPEM: id.privateKeyPEM, certificatePEM: id.certificatePEM)
}

private func trusted(_ id: SelfSignedIdentity = identity) throws -> [XMLVerificationKey] {
    [try XMLVerificationKey(certificate: id.certificatePEM)]
}

private func signedRequest(id: String = "_req1", issuer: String = "https://sp.test", key: SelfSignedIdentity = identity) throws -> String {
    let doc = try XMLDocument(string: """
        <samlp:AuthnRequest xmlns:samlp="\(samlp)" xmlns:saml="\(saml)" ID="\(id)" Version="2.0" \
        IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>\(issuer)</saml:Issuer></samlp:AuthnRequest>
        """)
    let issuerNode = try doc.root.child("Issuer", namespace: saml)
    try EnvelopedSignature.sign(doc.root, after: issuerNode, key: try signingKey(key))
    return doc.serialized()
}

@Suite struct EnvelopedSignatureTests {
    @Test func signedElementVerifiesAndOnlyTheSignedContentIsReturned() throws {
        let doc = try XMLDocument(string: try signedRequest())
        let verified = try EnvelopedSignature.verify(doc.root, keys: try trusted())
        #expect(verified.root.name == "AuthnRequest")
        #expect(verified.root.attribute("ID") == "_req1")
        #expect(try verified.root.child("Issuer", namespace: saml)?.text == "https://sp.test")
        #expect(verified.root.children("Signature", namespace: EnvelopedSignature.namespace).isEmpty)
    }

    @Test func signatureIsPlacedAfterIssuer() throws {
        let doc = try XMLDocument(string: try signedRequest())
        #expect(doc.root.children.map(\.name) == ["Issuer", "Signature"])
    }

    @Test func tamperedContentIsRefused() throws {
        let tampered = try signedRequest().replacingOccurrences(of: "https://sp.test", with: "https://evil.test")
        let doc = try XMLDocument(string: tampered)
        #expect(throws: XMLError.self) { try EnvelopedSignature.verify(doc.root, keys: try trusted()) }
    }

    @Test func keyInfoInTheMessageIsNeverTrusted() throws {
        // Signed by the attacker, whose certificate travels in KeyInfo: must fail with the trusted key.
        let doc = try XMLDocument(string: try signedRequest(key: attacker))
        #expect(throws: XMLError.self) { try EnvelopedSignature.verify(doc.root, keys: try trusted()) }
    }

    @Test func unsignedElementReportsMissingSignature() throws {
        let doc = try XMLDocument(string: "<a ID=\"_x\"/>")
        #expect(throws: XMLError.signatureMissing) { try EnvelopedSignature.verify(doc.root, keys: try trusted()) }
    }

    @Test func duplicateIDsAreRefused() throws {
        // Wrapping: an unsigned copy with the same ID placed before the signed element.
        let signed = try signedRequest()
        let body = signed.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", with: "")
        let wrapped = "<w><x ID=\"_req1\"/>\(body)</w>"
        let doc = try XMLDocument(string: wrapped)
        let signedNode = doc.root.children[1]
        #expect(throws: XMLError.self) { try EnvelopedSignature.verify(signedNode, keys: try trusted()) }
    }

    @Test func signatureOverAnotherElementIsRefused() throws {
        // The signature of element _req1 moved into element _evil: its reference does not point to _evil.
        let signed = try signedRequest()
        let moved = signed.replacingOccurrences(of: "ID=\"_req1\"", with: "ID=\"_evil\"")
        let doc = try XMLDocument(string: moved)
        #expect(throws: XMLError.self) { try EnvelopedSignature.verify(doc.root, keys: try trusted()) }
    }

    @Test func anyTrustedKeyDuringRolloverVerifies() throws {
        let doc = try XMLDocument(string: try signedRequest())
        let keys = try trusted(attacker) + trusted(identity)
        #expect(throws: Never.self) { try EnvelopedSignature.verify(doc.root, keys: keys) }
    }
}

@Suite struct SafeParsingTests {
    @Test func doctypeIsRefused() {
        #expect(throws: XMLError.doctypeRefused) {
            try XMLDocument(string: "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>")
        }
    }

    @Test func externalEntityIsRefused() {
        #expect(throws: XMLError.doctypeRefused) {
            try XMLDocument(string: "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>")
        }
    }

    @Test func billionLaughsIsRefused() {
        let bomb = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>
            """
        #expect(throws: XMLError.doctypeRefused) { try XMLDocument(string: bomb) }
    }

    @Test func oversizedInputIsRefusedBeforeParsing() {
        let big = "<a>" + String(repeating: "x", count: 2000) + "</a>"
        #expect(throws: XMLError.tooLarge(limit: 1000)) { try XMLDocument(string: big, limit: 1000) }
    }

    @Test func malformedInputIsRefused() {
        #expect(throws: XMLError.malformed) { try XMLDocument(string: "<a><b></a>") }
        #expect(throws: XMLError.malformed) { try XMLDocument(string: "") }
        #expect(throws: XMLError.malformed) { try XMLDocument(string: "not xml") }
    }
}

@Suite struct RawSignatureTests {
    @Test func redirectBindingSignatureRoundTrip() throws {
        let data = Array("SAMLRequest=abc&RelayState=xyz&SigAlg=rsa".utf8)
        let signature = try RawSignature.sign(data, key: try signingKey())
        #expect(RawSignature.verify(signature, over: data, algorithm: .rsaSHA256, keys: try trusted()))
        #expect(!RawSignature.verify(signature, over: data + [0x41], algorithm: .rsaSHA256, keys: try trusted()))
        #expect(!RawSignature.verify(signature, over: data, algorithm: .rsaSHA256, keys: try trusted(attacker)))
    }
}
