import Foundation
import Testing
import VarcoCore
import VarcoSAML
import VarcoXML
@testable import VarcoSPID

@Suite struct AuthnRequestTests {
    let f: SPIDFixture
    init() throws { f = try SPIDFixture() }

    func request(_ level: LevelOfAssurance, kind: UpstreamLogin.Kind = .spid) -> UpstreamAuthnRequest {
        UpstreamAuthnRequest(id: "_abc", issueInstant: Date(timeIntervalSince1970: 1_790_000_000.531), issuer: f.endpoints.entityID,
                             destination: "https://idp.test/sso", level: level, kind: kind)
    }

    @Test func theRequestFollowsTheSPIDRules() throws {
        let root = try XMLDocument(string: request(.spidL2).xml()).root
        #expect(root.attribute("Version") == "2.0")
        #expect(root.attribute("IssueInstant") == "2026-09-21T14:13:20.531Z")
        #expect(root.attribute("Destination") == "https://idp.test/sso")
        #expect(root.attribute("ForceAuthn") == "true")
        #expect(root.attribute("IsPassive") == nil)
        #expect(root.attribute("AssertionConsumerServiceIndex") == "0")
        #expect(root.attribute("AttributeConsumingServiceIndex") == "0")
        let issuer = try #require(try root.child("Issuer", namespace: SAMLNamespace.assertion))
        #expect(issuer.text == f.endpoints.entityID)
        #expect(issuer.attribute("Format") == NameIDFormat.entity && issuer.attribute("NameQualifier") == f.endpoints.entityID)
        let policy = try #require(try root.child("NameIDPolicy", namespace: SAMLNamespace.protocol_))
        #expect(policy.attribute("Format") == NameIDFormat.transient && policy.attribute("AllowCreate") == nil)
        let context = try #require(try root.child("RequestedAuthnContext", namespace: SAMLNamespace.protocol_))
        #expect(context.attribute("Comparison") == "minimum")
        #expect(try context.child("AuthnContextClassRef", namespace: SAMLNamespace.assertion)?.text == "https://www.spid.gov.it/SpidL2")
    }

    @Test func forceAuthnOnlyFromLevelTwoForSPIDAndAlwaysForCIE() throws {
        #expect(try XMLDocument(string: request(.spidL1).xml()).root.attribute("ForceAuthn") == nil)
        #expect(try XMLDocument(string: request(.spidL3).xml()).root.attribute("ForceAuthn") == "true")
        #expect(try XMLDocument(string: request(.spidL1, kind: .cie).xml()).root.attribute("ForceAuthn") == "true")
    }

    @Test func theRedirectQueryIsSignedOverItsExactEncoding() throws {
        let url = try request(.spidL2).redirectURL(relayState: "opaque-Token_1", key: f.spKey)
        let query = String(url.split(separator: "?", maxSplits: 1)[1])
        let parts = query.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        #expect(parts.map { $0[0] } == ["SAMLRequest", "RelayState", "SigAlg", "Signature"])
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%")
        for part in parts { #expect(part[1].allSatisfy { unreserved.contains($0) }, "\(part[0]) left a reserved character literal") }
        #expect(query.range(of: "%([a-f][0-9A-Fa-f]|[0-9A-F][a-f])", options: .regularExpression) == nil, "lower-case hex")
        #expect(parts[2][1] == "http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256")
        let signed = Array(parts[0...2].map { "\($0[0])=\($0[1])" }.joined(separator: "&").utf8)
        let signature = try #require(Data(base64Encoded: parts[3][1].removingPercentEncoding!))
        let key = try XMLVerificationKey(certificate: SPIDFixture.spIdentity.certificatePEM)
        #expect(RawSignature.verify(Array(signature), over: signed, algorithm: .rsaSHA256, keys: [key]))
        let message = try RedirectBinding.decode(query: Substring(query))
        #expect(String(decoding: message.xml, as: UTF8.self) == request(.spidL2).xml())
        #expect(!String(decoding: message.xml, as: UTF8.self).contains("Signature"))
    }

    @Test func thePostFormCarriesAnEnvelopedSignatureAfterTheIssuer() throws {
        let form = try request(.spidL2).postForm(relayState: "r", key: f.spKey)
        let xml = try #require(Data(base64Encoded: form.value))
        let document = try XMLDocument(bytes: Array(xml))
        #expect(document.root.children.map(\.name).prefix(2) == ["Issuer", "Signature"])
        let key = try XMLVerificationKey(certificate: SPIDFixture.spIdentity.certificatePEM)
        _ = try EnvelopedSignature.verify(document.root, keys: [key])
        #expect(form.relayState == "r" && form.parameter == "SAMLRequest")
    }
}

@Suite struct MetadataAndCertificateTests {
    let f: SPIDFixture
    init() throws { f = try SPIDFixture() }

    func metadata(_ kind: UpstreamLogin.Kind) throws -> XMLDocument {
        let xml = try UpstreamServiceProviderMetadata(endpoints: ServiceProviderEndpoints(kind: kind, publicURL: "https://varco.test"),
                                                      settings: ServiceProviderSettings(), signingCertificates: [f.spKey.certificateBase64])
            .signed(with: f.spKey, id: "_meta")
        return try XMLDocument(string: xml)
    }

    @Test func spidMetadataIsSignedAndCarriesThePublicContact() throws {
        let document = try metadata(.spid)
        let key = try XMLVerificationKey(certificate: SPIDFixture.spIdentity.certificatePEM)
        let signed = try EnvelopedSignature.verify(document.root, keys: [key]).root
        #expect(document.root.children.first?.name == "Signature")
        #expect(document.serialized().contains("<ds:X509Certificate>\(f.spKey.certificateBase64)"))
        let md = SAMLNamespace.metadata
        let sp = try #require(try signed.child("SPSSODescriptor", namespace: md))
        #expect(sp.attribute("AuthnRequestsSigned") == "true" && sp.attribute("WantAssertionsSigned") == "true")
        let acs = sp.children("AssertionConsumerService", namespace: md)
        #expect(acs.count == 1 && acs[0].attribute("index") == "0" && acs[0].attribute("isDefault") == "true")
        #expect(acs[0].attribute("Location") == "https://varco.test/spid/acs")
        #expect(sp.children("SingleLogoutService", namespace: md).count == 2)
        let contact = try #require(try signed.child("ContactPerson", namespace: md))
        #expect(contact.attribute("contactType") == "other")
        let extensions = try #require(try contact.child("Extensions", namespace: md))
        #expect(extensions.children.map(\.name) == ["IPACode", "Public"])
        #expect(extensions.children.allSatisfy { $0.namespace == SPIDProfile.spidExtensions })
    }

    @Test func cieMetadataHasTheAdministrativeContactWithMunicipality() throws {
        let root = try metadata(.cie).root
        let contact = try #require(try root.child("ContactPerson", namespace: SAMLNamespace.metadata))
        #expect(contact.attribute("contactType") == "administrative")
        let names = try #require(try contact.child("Extensions", namespace: SAMLNamespace.metadata)).children
        #expect(names.map(\.name).contains("Municipality") && names.allSatisfy { $0.namespace == SPIDProfile.cieExtensions })
        #expect(root.attribute("entityID") == "https://varco.test/cie/metadata")
    }

    @Test func settingsRefuseAttributesOutsideTheProfile() {
        var settings = ServiceProviderSettings()
        settings.cieAttributeSets = [["fiscalNumber", "email"]]
        #expect(settings.validate().contains { $0.contains("email is not a CIE attribute") })
        #expect(ServiceProviderSettings().validate().isEmpty)
    }

    @Test func theCertificateFollowsAvviso29() throws {
        let identity = try ServiceProviderCertificate.generate(settings: ServiceProviderSettings(),
                                                               entityID: "https://varco.test/spid/metadata")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sp-\(UUID().uuidString).pem")
        try identity.certificatePEM.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["x509", "-in", file.path, "-noout", "-text", "-nameopt", "oid"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text.contains("2.5.4.97=PA:IT-r_demo"))
        #expect(text.contains("2.5.4.83=https://varco.test/spid/metadata"))
        #expect(text.contains("Public-Key: (2048 bit)"))
        #expect(text.contains("sha256WithRSAEncryption"))
        #expect(text.contains("Digital Signature, Non Repudiation"))
        #expect(text.contains("1.3.76.16.6") && text.contains("1.3.76.16.4.2.1"))
        #expect(text.contains("CA:FALSE"))
    }
}

@Suite struct RegistryTests {
    let f: SPIDFixture
    init() throws { f = try SPIDFixture() }

    func idpMetadata(id: String = "_m") -> String {
        "<md:EntityDescriptor xmlns:md=\"\(SAMLNamespace.metadata)\" xmlns:ds=\"\(SAMLNamespace.dsig)\" ID=\"\(id)\" entityID=\"https://idp.test\">"
            + "<md:IDPSSODescriptor protocolSupportEnumeration=\"\(SAMLNamespace.protocol_)\"><md:KeyDescriptor use=\"signing\"><ds:KeyInfo>"
            + "<ds:X509Data><ds:X509Certificate>\(f.standIn.key.certificateBase64)</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
            + "</md:KeyDescriptor><md:SingleSignOnService Binding=\"\(SAMLBinding.httpRedirect.rawValue)\" Location=\"https://idp.test/sso\"/>"
            + "</md:IDPSSODescriptor></md:EntityDescriptor>"
    }

    @Test func unsignedMetadataIsRefusedUnlessTheTestSettingTrustsIt() async throws {
        let signer = try XMLVerificationKey(certificate: SPIDFixture.attackerIdentity.certificatePEM)
        #expect(throws: UpstreamIdentityProvider.MetadataProblem.notSigned) {
            try UpstreamIdentityProvider.parse(Array(idpMetadata().utf8), kind: .spid, signers: [signer])
        }
        let trusted = try UpstreamIdentityProvider.parse(Array(idpMetadata().utf8), kind: .spid, signers: [])
        #expect(trusted.map(\.entityID) == ["https://idp.test"] && trusted[0].ssoRedirectURL == "https://idp.test/sso")
    }

    @Test func signedMetadataVerifiesWithTheFederationCertificate() throws {
        let document = try XMLDocument(string: idpMetadata())
        try EnvelopedSignature.sign(document.root, after: nil, key: f.attacker.key)
        let signer = try XMLVerificationKey(certificate: SPIDFixture.attackerIdentity.certificatePEM)
        #expect(try UpstreamIdentityProvider.parse(Array(document.serialized().utf8), kind: .spid, signers: [signer]).count == 1)
        let other = try XMLVerificationKey(certificate: SPIDFixture.spIdentity.certificatePEM)
        #expect(throws: UpstreamIdentityProvider.MetadataProblem.self) {
            try UpstreamIdentityProvider.parse(Array(document.serialized().utf8), kind: .spid, signers: [other])
        }
    }

    @Test func aFailedRefreshKeepsTheLastGoodCopy() async throws {
        let registry = UpstreamRegistry(sources: [UpstreamMetadataSource(kind: .spid, location: "idp.xml", signers: [], testOnly: true)])
        let good = Array(idpMetadata().utf8)
        #expect(await registry.refresh { _ in good }.isEmpty)
        let problems = await registry.refresh { _ in Array("<broken".utf8) }
        #expect(problems.count == 1 && problems[0].contains("last good copy"))
        #expect(await registry.provider(.spid, entityID: "https://idp.test") != nil)
    }

    @Test func unsignedSourcesNeedTheTestSetting() async {
        let registry = UpstreamRegistry(sources: [UpstreamMetadataSource(kind: .spid, location: "idp.xml", signers: [])])
        let good = Array(idpMetadata().utf8)
        #expect(await registry.refresh { _ in good }.count == 1)
        #expect(await registry.providers(.spid).isEmpty)
    }
}
