import Foundation
import Testing
@testable import VarcoXML

private let saml = "urn:oasis:names:tc:SAML:2.0:assertion"
private let xenc = XMLEncryption.namespace
private let recipient = try! SelfSignedIdentity.generate(commonName: "sp.test")
private let stranger = try! SelfSignedIdentity.generate(commonName: "stranger.test")

private let assertion = """
    <saml:Assertion xmlns:saml="\(saml)" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="_a1" Version="2.0">\
    <saml:Issuer>https://idp.test</saml:Issuer><saml:AttributeStatement><saml:Attribute Name="fiscalNumber">\
    <saml:AttributeValue xsi:type="xs:string">TINIT-RSSMRA80A01H501U</saml:AttributeValue></saml:Attribute>\
    </saml:AttributeStatement></saml:Assertion>
    """

/// A document holding the assertion, encrypted in place; the document serialised. The envelope declares no namespace,
/// so the plaintext is exactly the assertion as written.
private func encryptedResponse(_ element: String = assertion, to id: SelfSignedIdentity = recipient) throws -> String {
    let doc = try XMLDocument(string: "<Envelope>\(element)</Envelope>")
    let target = try #require(doc.root.children.first)
    let data = try XMLEncryption.encrypt(target, to: try XMLEncryptionCertificate(certificate: id.certificatePEM))
    #expect(data.isElement("EncryptedData", namespace: xenc))
    return doc.serialized()
}

private func decrypt(_ xml: String, with id: SelfSignedIdentity = recipient) throws -> XMLDocument {
    let doc = try XMLDocument(string: xml)
    let data = try #require(doc.root.children("EncryptedData", namespace: xenc).first)
    return try XMLEncryption.decrypt(data, with: try XMLDecryptionKey(privateKeyPEM: id.privateKeyPEM))
}

/// The base64 text of the first CipherValue after `marker`.
private func cipherValue(in xml: String, after marker: String) throws -> Range<String.Index> {
    let from = try #require(xml.range(of: marker)).upperBound
    let open = try #require(xml.range(of: "<CipherValue>", range: from..<xml.endIndex)).upperBound
    let close = try #require(xml.range(of: "</CipherValue>", range: open..<xml.endIndex)).lowerBound
    return open..<close
}

@Suite struct XMLEncryptionTests {
    @Test func roundTripGivesBackTheSameElement() throws {
        let xml = try encryptedResponse()
        #expect(!xml.contains("RSSMRA80A01H501U"))
        #expect(!xml.contains("saml:Assertion"))
        let clear = try decrypt(xml)
        #expect(clear.serializedRoot() == (try XMLDocument(string: assertion)).serializedRoot())
    }

    @Test func theAlgorithmsAreAESGCMWithRSAOAEPKeyTransport() throws {
        let doc = try XMLDocument(string: try encryptedResponse())
        let data = try #require(doc.root.children.first)
        #expect(data.attribute("Type") == XMLEncryption.elementType)
        #expect(try data.child("EncryptionMethod", namespace: xenc)?.attribute("Algorithm") == "http://www.w3.org/2009/xmlenc11#aes256-gcm")
        let key = try #require(try data.child("KeyInfo", namespace: EnvelopedSignature.namespace)?.child("EncryptedKey", namespace: xenc))
        let method = try #require(try key.child("EncryptionMethod", namespace: xenc))
        #expect(method.attribute("Algorithm") == "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p")
        #expect(try method.child("DigestMethod", namespace: EnvelopedSignature.namespace)?.attribute("Algorithm")
                == "http://www.w3.org/2000/09/xmldsig#sha1")
        // 2048-bit RSA: 256 bytes of encrypted key.
        let wrapped = try #require(try key.child("CipherData", namespace: xenc)?.child("CipherValue", namespace: xenc))
        #expect(Data(base64Encoded: wrapped.text, options: .ignoreUnknownCharacters)?.count == 256)
    }

    @Test func inheritedNamespacesTravelWithTheElement() throws {
        let doc = try XMLDocument(string: #"<r xmlns:saml="\#(saml)" xmlns:xs="http://www.w3.org/2001/XMLSchema"><saml:Assertion ID="_a2"><saml:Issuer>x</saml:Issuer><v type="xs:string"/></saml:Assertion></r>"#)
        _ = try XMLEncryption.encrypt(try #require(doc.root.children.first), to: try XMLEncryptionCertificate(certificate: recipient.certificatePEM))
        let clear = try decrypt(doc.serialized())
        #expect(clear.root.isElement("Assertion", namespace: saml))
        #expect(clear.serializedRoot().contains(#"xmlns:xs="http://www.w3.org/2001/XMLSchema""#))
    }

    @Test func twoEncryptionsOfTheSameElementDiffer() throws {
        let first = try encryptedResponse(), second = try encryptedResponse()
        #expect(first[try cipherValue(in: first, after: "</KeyInfo>")] != second[try cipherValue(in: second, after: "</KeyInfo>")])
    }

    @Test func anotherPrivateKeyCannotDecrypt() throws {
        let xml = try encryptedResponse()
        #expect(throws: XMLError.decryptionFailed("wrong key, altered ciphertext or refused algorithm")) { try decrypt(xml, with: stranger) }
    }

    @Test func alteredCiphertextFailsTheGCMTag() throws {
        var xml = try encryptedResponse()
        let range = try cipherValue(in: xml, after: "</KeyInfo>")
        var bytes = try #require(Data(base64Encoded: String(xml[range]), options: .ignoreUnknownCharacters))
        bytes[bytes.startIndex + 40] ^= 0x01 // past the 12-byte IV, inside the ciphertext
        xml.replaceSubrange(range, with: bytes.base64EncodedString())
        #expect(throws: XMLError.decryptionFailed("wrong key, altered ciphertext or refused algorithm")) { try decrypt(xml) }
    }

    @Test(arguments: [
        // Content encryption without integrity (CBC) and key transport with PKCS#1 v1.5 are refused.
        ("http://www.w3.org/2009/xmlenc11#aes256-gcm", "http://www.w3.org/2001/04/xmlenc#aes256-cbc"),
        ("http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p", "http://www.w3.org/2001/04/xmlenc#rsa-1_5"),
        ("http://www.w3.org/2000/09/xmldsig#sha1", "http://www.w3.org/2001/04/xmlenc#sha256"),
        (#"Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>"#,
         #"Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><OAEPparams>AAAA</OAEPparams>"#),
        // Nothing is fetched: no CipherReference, no RetrievalMethod (in the EncryptedData's KeyInfo or the EncryptedKey's).
        ("</EncryptionMethod>\n<CipherData>",
         ##"</EncryptionMethod><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><RetrievalMethod URI="#x"/></KeyInfo><CipherData>"##),
        ("<CipherData>\n<CipherValue>", #"<CipherData><CipherReference URI="http://attacker.test/x"/><CipherValue>"#),
        (#"<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">"#, ##"<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><RetrievalMethod URI="#k"/>"##),
    ])
    func outsideTheAllowListIsRefusedBeforeDecrypting(original: String, replacement: String) throws {
        let xml = try encryptedResponse()
        #expect(xml.contains(original))
        let altered = xml.replacingOccurrences(of: original, with: replacement)
        #expect {
            try decrypt(altered)
        } throws: { error in
            guard case XMLError.decryptionFailed(let why) = error else { return false }
            return why.hasPrefix("refused")
        }
    }

    @Test func aKeyNameForTheRecipientIsAcceptedAndNeverLookedUp() throws {
        let xml = try encryptedResponse().replacingOccurrences(
            of: "</EncryptionMethod>\n<CipherData>",
            with: #"</EncryptionMethod><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><KeyName>no such key</KeyName></KeyInfo><CipherData>"#)
        #expect(xml.contains("no such key"))
        #expect(try decrypt(xml).root.isElement("Assertion", namespace: saml))
    }

    @Test func aCertificateThatIsNotOneIsRefused() {
        #expect(throws: XMLError.self) { try XMLEncryptionCertificate(certificate: "bm90IGEgY2VydGlmaWNhdGU=") }
    }
}
