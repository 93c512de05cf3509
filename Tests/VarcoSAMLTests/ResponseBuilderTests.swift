import Foundation
import Testing
import VarcoCore
@testable import VarcoSAML
import VarcoTesting
import VarcoXML

@Suite struct ResponseBuilderTests {
    let f = SAMLFixture()
    let cf = try! CodiceFiscale("RSSMRA80A01H501U")

    var builder: ResponseBuilder { ResponseBuilder(configuration: f.idp, key: f.idpKey, random: SystemRandomSource()) }

    func request(format: String = NameIDFormat.transient, sp: String? = nil) -> SAMLLoginRequest {
        SAMLLoginRequest(requestID: "_req", serviceProvider: sp ?? f.spEntityID, assertionConsumerServiceURL: f.acs, relayState: "rs",
                         nameIDFormat: format, attributeConsumingServiceIndex: nil, requirement: LoginRequirement())
    }

    var validator: ResponseValidator {
        ResponseValidator(serviceProvider: f.spEntityID, assertionConsumerServiceURL: f.acs, identityProvider: f.idp.entityID,
                          keys: [try! XMLVerificationKey(certificate: SAMLFixture.idpIdentity.certificatePEM)])
    }

    func decode(_ form: PostBinding.Form) -> [UInt8] { Array(Data(base64Encoded: form.value)!) }

    @Test func successCarriesTheLevelAttributesAndBothSignatures() throws {
        let result = AuthnResult(citizen: cf, level: .spidL2, method: .otpApp, instant: f.clock.now())
        let (form, visit) = try builder.success(for: request(), result: result,
                                                attributes: [(.fiscalNumber, "TINIT-RSSMRA80A01H501U"), (.name, "Mario & <Co>")],
                                                settings: .init(), sessionNotOnOrAfter: nil, now: f.clock.now())
        #expect(form.destination == f.acs)
        #expect(form.relayState == "rs")
        let xml = String(decoding: decode(form), as: UTF8.self)
        #expect(xml.components(separatedBy: "</SignatureValue>").count - 1 == 2)
        let login = try validator.validate(decode(form), inResponseTo: "_req", now: f.clock.now())
        #expect(login.attributes["fiscalNumber"] == "TINIT-RSSMRA80A01H501U")
        #expect(login.attributes["name"] == "Mario & <Co>")
        #expect(login.authnContextClassRef == "https://www.spid.gov.it/SpidL2")
        #expect(login.sessionIndex == visit.sessionIndex)
        #expect(login.nameID == visit.nameID)
    }

    @Test func responseIsRefusedAfterItsLifetimeAndForAnotherRequest() throws {
        let result = AuthnResult(citizen: cf, level: .spidL2, method: .otpApp, instant: f.clock.now())
        let (form, _) = try builder.success(for: request(), result: result, attributes: [], settings: .init(),
                                            sessionNotOnOrAfter: nil, now: f.clock.now())
        #expect(throws: ResponseValidator.Failure.expired) {
            try validator.validate(decode(form), inResponseTo: "_req", now: f.clock.now().addingTimeInterval(3600))
        }
        #expect(throws: ResponseValidator.Failure.mismatch("InResponseTo")) {
            try validator.validate(decode(form), inResponseTo: "_other", now: f.clock.now())
        }
    }

    @Test func persistentNameIDIsStablePerServiceAndDiffersAcrossServices() {
        let one = builder.nameID(for: cf, format: NameIDFormat.persistent, serviceProvider: "https://a.test")
        #expect(one == builder.nameID(for: cf, format: NameIDFormat.persistent, serviceProvider: "https://a.test"))
        #expect(one != builder.nameID(for: cf, format: NameIDFormat.persistent, serviceProvider: "https://b.test"))
        #expect(!one.contains(cf.value))
        let transient = builder.nameID(for: cf, format: NameIDFormat.transient, serviceProvider: "https://a.test")
        #expect(transient != builder.nameID(for: cf, format: NameIDFormat.transient, serviceProvider: "https://a.test"))
    }

    @Test func failureResponseIsSignedAndCarriesTheStatus() throws {
        let reply = SAMLErrorReply(serviceProvider: f.spEntityID, destination: f.acs, inResponseTo: "_req", relayState: nil,
                                   status: SAMLStatus(.responder, .noPassive))
        let form = try builder.failure(reply, now: f.clock.now())
        let document = try XMLDocument(bytes: decode(form))
        let verified = try EnvelopedSignature.verify(document.root, keys: [try XMLVerificationKey(certificate: SAMLFixture.idpIdentity.certificatePEM)])
        #expect(verified.serialized().contains(SAMLStatus.SecondLevel.noPassive.rawValue))
        #expect(throws: ResponseValidator.Failure.self) { try validator.validate(decode(form), inResponseTo: "_req", now: f.clock.now()) }
    }

    @Test func wrappedAssertionIsRefusedBySPChecks() throws {
        // A forged unsigned assertion placed beside the signed one inside a response whose signature is stripped.
        let result = AuthnResult(citizen: cf, level: .spidL2, method: .otpApp, instant: f.clock.now())
        let (form, _) = try builder.success(for: request(), result: result, attributes: [(.fiscalNumber, "TINIT-RSSMRA80A01H501U")],
                                            settings: RelyingPartySettings(signResponse: false, signAssertion: true),
                                            sessionNotOnOrAfter: nil, now: f.clock.now())
        let xml = String(decoding: decode(form), as: UTF8.self)
        let forged = xml.replacingOccurrences(of: "<saml:Assertion ", with: "<saml:Assertion ID=\"_evil\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"><saml:Issuer>x</saml:Issuer></saml:Assertion><saml:Assertion ", options: [], range: xml.range(of: "<saml:Assertion "))
        #expect(throws: ResponseValidator.Failure.self) {
            try validator.validate(Array(forged.utf8), inResponseTo: "_req", now: f.clock.now())
        }
    }
}
