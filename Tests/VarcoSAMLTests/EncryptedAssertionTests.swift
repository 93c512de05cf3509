import Foundation
import Testing
import VarcoCore
@testable import VarcoSAML
import VarcoTesting
import VarcoXML

@Suite struct EncryptedAssertionTests {
    let f = SAMLFixture()
    let cf = try! CodiceFiscale("RSSMRA80A01H501U")
    let encrypting = RelyingPartySettings(encryptAssertion: true)

    var builder: ResponseBuilder { ResponseBuilder(configuration: f.idp, key: f.idpKey, random: SystemRandomSource()) }
    var spCertificate: XMLEncryptionCertificate { try! XMLEncryptionCertificate(certificate: SAMLFixture.spIdentity.certificatePEM) }
    var idpKeys: [XMLVerificationKey] { [try! XMLVerificationKey(certificate: SAMLFixture.idpIdentity.certificatePEM)] }

    func request() -> SAMLLoginRequest {
        SAMLLoginRequest(requestID: "_req", serviceProvider: f.spEntityID, assertionConsumerServiceURL: f.acs, relayState: "rs",
                         nameIDFormat: NameIDFormat.transient, attributeConsumingServiceIndex: nil, requirement: LoginRequirement())
    }

    func validator(decryptingWith identity: SelfSignedIdentity? = SAMLFixture.spIdentity) -> ResponseValidator {
        ResponseValidator(serviceProvider: f.spEntityID, assertionConsumerServiceURL: f.acs, identityProvider: f.idp.entityID,
                          keys: idpKeys, decryptionKey: identity.map { try! XMLDecryptionKey(privateKeyPEM: $0.privateKeyPEM) })
    }

    func response(settings: RelyingPartySettings? = nil, key: XMLEncryptionCertificate? = nil) throws -> [UInt8] {
        let result = AuthnResult(citizen: cf, level: .spidL2, method: .otpApp, instant: f.clock.now())
        let (form, _) = try builder.success(for: request(), result: result, attributes: [(.fiscalNumber, "TINIT-RSSMRA80A01H501U")],
                                            settings: settings ?? encrypting, encryptionKey: key ?? spCertificate,
                                            sessionNotOnOrAfter: nil, now: f.clock.now())
        return Array(Data(base64Encoded: form.value)!)
    }

    @Test func theAssertionTravelsOnlyEncryptedAndTheServiceReadsIt() throws {
        let bytes = try response()
        let xml = String(decoding: bytes, as: UTF8.self)
        #expect(!xml.contains("<saml:Assertion"))
        #expect(!xml.contains("RSSMRA80A01H501U"))
        #expect(xml.contains("<saml:EncryptedAssertion>"))
        #expect(xml.contains("http://www.w3.org/2009/xmlenc11#aes256-gcm"))
        #expect(xml.contains("http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"))
        // The Response signature, made after the encryption, still verifies.
        let response = try EnvelopedSignature.verify(try XMLDocument(bytes: bytes).root, keys: idpKeys).root
        #expect(response.children("EncryptedAssertion", namespace: SAMLNamespace.assertion).count == 1)
        let login = try validator().validate(bytes, inResponseTo: "_req", now: f.clock.now())
        #expect(login.attributes["fiscalNumber"] == "TINIT-RSSMRA80A01H501U")
        #expect(login.authnContextClassRef == "https://www.spid.gov.it/SpidL2")
    }

    @Test func theEncryptedAssertionIsSignedInside() throws {
        let bytes = try response()
        let sealed = try #require(try XMLDocument(bytes: bytes).root.child("EncryptedAssertion", namespace: SAMLNamespace.assertion))
        let assertion = try EncryptedAssertion.open(sealed, with: try XMLDecryptionKey(privateKeyPEM: SAMLFixture.spIdentity.privateKeyPEM))
        let verified = try EnvelopedSignature.verify(assertion.root, keys: idpKeys)
        #expect(verified.root.isElement("Assertion", namespace: SAMLNamespace.assertion))
    }

    @Test func withoutTheRightPrivateKeyTheServiceCannotRead() throws {
        let bytes = try response()
        #expect(throws: ResponseValidator.Failure.decryption("an EncryptedAssertion, and no decryption key")) {
            try validator(decryptingWith: nil).validate(bytes, inResponseTo: "_req", now: f.clock.now())
        }
        #expect(throws: ResponseValidator.Failure.self) {
            try validator(decryptingWith: SAMLFixture.strangerIdentity).validate(bytes, inResponseTo: "_req", now: f.clock.now())
        }
    }

    @Test func encryptionOnWithoutAKeyBuildsNothing() {
        let result = AuthnResult(citizen: cf, level: .spidL2, method: .otpApp, instant: f.clock.now())
        #expect(throws: XMLError.self) {
            try builder.success(for: request(), result: result, attributes: [], settings: encrypting, encryptionKey: nil,
                                sessionNotOnOrAfter: nil, now: f.clock.now())
        }
    }

    @Test func encryptionOffSendsTheAssertionInClearEvenWithAKey() throws {
        let xml = String(decoding: try response(settings: .init()), as: UTF8.self)
        #expect(xml.contains("<saml:Assertion"))
        #expect(!xml.contains("EncryptedAssertion"))
    }

    @Test func aForgedAssertionEncryptedToThePublicCertificateIsRefused() throws {
        // Anyone can encrypt to the service's certificate: with the Response unsigned, an attacker swaps in an unsigned
        // assertion of their own. The decrypted assertion must still carry Varco's signature.
        let genuine = String(decoding: try response(settings: RelyingPartySettings(signResponse: false, signAssertion: true,
                                                                                  encryptAssertion: true)), as: UTF8.self)
        let forgedAssertion = """
            <samlp:Response xmlns:samlp="\(SAMLNamespace.protocol_)" xmlns:saml="\(SAMLNamespace.assertion)" ID="_x"><saml:Assertion ID="_evil" Version="2.0" \
            IssueInstant="\(SAMLTime.format(f.clock.now()))"><saml:Issuer>\(f.idp.entityID)</saml:Issuer></saml:Assertion></samlp:Response>
            """
        let forgedDocument = try XMLDocument(string: forgedAssertion)
        try EncryptedAssertion.seal(forgedDocument.root.children[0], to: spCertificate)
        let forged = forgedDocument.serializedRoot()
        let pattern = "(?s)<saml:EncryptedAssertion>.*</saml:EncryptedAssertion>"
        let forgedSealed = try #require(forged.range(of: pattern, options: .regularExpression))
        let genuineSealed = try #require(genuine.range(of: pattern, options: .regularExpression))
        var attack = genuine
        attack.replaceSubrange(genuineSealed, with: forged[forgedSealed])
        #expect(throws: ResponseValidator.Failure.signature("neither the response nor the assertion is signed")) {
            try validator().validate(Array(attack.utf8), inResponseTo: "_req", now: f.clock.now())
        }
    }

    @Test func aClearAssertionBesideTheEncryptedOneIsRefused() throws {
        let xml = String(decoding: try response(), as: UTF8.self)
        let doubled = xml.replacingOccurrences(of: "<saml:EncryptedAssertion>",
                                               with: #"<saml:Assertion ID="_evil" Version="2.0"/><saml:EncryptedAssertion>"#)
        #expect(throws: ResponseValidator.Failure.self) {
            try validator().validate(Array(doubled.utf8), inResponseTo: "_req", now: f.clock.now())
        }
    }

    @Test func metadataEncryptionKeysAreThoseForEncryptionOrForBoth() throws {
        let cert = PEMBody.of(SAMLFixture.spIdentity.certificatePEM)
        let other = PEMBody.of(SAMLFixture.strangerIdentity.certificatePEM)
        func metadata(_ descriptors: String) throws -> ServiceProviderMetadata {
            try ServiceProviderMetadata(xml: """
                <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="\(f.spEntityID)">
                <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">\(descriptors)
                <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="\(f.acs)" index="1"/>
                </md:SPSSODescriptor></md:EntityDescriptor>
                """)
        }
        func key(_ use: String?, _ body: String) -> String {
            #"<md:KeyDescriptor\#(use.map { #" use="\#($0)""# } ?? "")><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\#(body)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#
        }
        #expect(try metadata(key("signing", cert)).encryptionCertificates.isEmpty)
        #expect(try metadata(key("signing", cert)).encryptionKey() == nil)
        #expect(try metadata(key(nil, cert)).encryptionCertificates == [cert])
        #expect(try metadata(key(nil, cert)).signingCertificates == [cert])
        let split = try metadata(key("signing", other) + key("encryption", cert))
        #expect(split.encryptionCertificates == [cert])
        #expect(split.signingCertificates == [other])
        #expect(split.encryptionKey()?.certificateBase64 == cert)
    }

    @Test func anEncryptingServiceWhoseMetadataLostItsKeyIsRefusedBeforeLogin() async throws {
        await f.register(signed: false, settings: encrypting)  // the fixture metadata has a signing key only
        let outcome = try await f.receiver.receive(f.post(f.request()))
        guard case .refuse(let refusal) = outcome else { Issue.record("expected a refusal, got \(outcome)"); return }
        #expect(refusal.kind == .noEncryptionKey)
    }
}
