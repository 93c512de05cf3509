import Foundation
import VarcoCore
import VarcoSAML
import VarcoTesting
import VarcoXML

/// A service provider and an identity provider built in code, with fresh keys.
struct SAMLFixture {
    static let spIdentity = try! SelfSignedIdentity.generate(commonName: "sp.test")
    static let idpIdentity = try! SelfSignedIdentity.generate(commonName: "idp.test")
    static let strangerIdentity = try! SelfSignedIdentity.generate(commonName: "stranger.test")

    let clock = FixedClock()
    let parties = InMemoryRelyingPartyStore()
    let replay = InMemoryReplayCache()
    let spEntityID = "https://sp.test/metadata"
    let acs = "https://sp.test/acs"
    let idp = IdentityProviderConfiguration(entityID: "https://idp.test/metadata", ssoURL: "https://idp.test/sso",
                                            pairwiseSecret: Array(repeating: 7, count: 32))

    var spKey: XMLSigningKey { try! XMLSigningKey(privateKeyPEM: Self.spIdentity.privateKeyPEM, certificatePEM: Self.spIdentity.certificatePEM) }
    var strangerKey: XMLSigningKey {
        try! XMLSigningKey(privateKeyPEM: Self.strangerIdentity.privateKeyPEM, certificatePEM: Self.strangerIdentity.certificatePEM)
    }
    var idpKey: XMLSigningKey { try! XMLSigningKey(privateKeyPEM: Self.idpIdentity.privateKeyPEM, certificatePEM: Self.idpIdentity.certificatePEM) }

    var receiver: AuthnRequestReceiver {
        AuthnRequestReceiver(configuration: idp, relyingParties: parties, replay: replay, clock: clock)
    }

    func metadata(signed: Bool = true) -> String {
        let cert = PEMBody.of(Self.spIdentity.certificatePEM)
        return """
            <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="\(spEntityID)">
            <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="\(signed)">
            <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(cert)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
            <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="\(acs)" index="1" isDefault="true"/>
            <md:AttributeConsumingService index="0"><md:ServiceName xml:lang="it">SP</md:ServiceName>
            <md:RequestedAttribute Name="fiscalNumber"/><md:RequestedAttribute Name="name"/></md:AttributeConsumingService>
            </md:SPSSODescriptor></md:EntityDescriptor>
            """
    }

    func register(signed: Bool = true, settings: RelyingPartySettings = .init()) async {
        await parties.save(RelyingParty(id: spEntityID, kind: .samlServiceProvider, displayName: "SP", metadata: metadata(signed: signed),
                                        settings: settings, created: clock.now()))
    }

    func request(id: String = "_r1", issuer: String? = nil, version: String = "2.0", instant: Date? = nil,
                 destination: String? = "https://idp.test/sso", acsURL: String? = nil, extra: String = "",
                 body: String = "") -> String {
        let dest = destination.map { #" Destination="\#($0)""# } ?? ""
        let acsAttr = acsURL.map { #" AssertionConsumerServiceURL="\#($0)""# } ?? ""
        return """
            <samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="\(id)" Version="\(version)" IssueInstant="\(SAMLTime.format(instant ?? clock.now()))"\(dest)\(acsAttr)\(extra)>\
            <saml:Issuer>\(issuer ?? spEntityID)</saml:Issuer>\(body)</samlp:AuthnRequest>
            """
    }

    /// The request signed (enveloped), as the POST binding carries it.
    func signedPost(_ xml: String, key: XMLSigningKey? = nil) throws -> InboundMessage {
        let document = try XMLDocument(string: xml)
        try EnvelopedSignature.sign(document.root, after: try document.root.child("Issuer", namespace: SAMLNamespace.assertion), key: key ?? spKey)
        return InboundMessage(xml: Array(document.serialized().utf8), relayState: "state", binding: .httpPOST, redirectSignature: nil)
    }

    func post(_ xml: String) -> InboundMessage {
        InboundMessage(xml: Array(xml.utf8), relayState: nil, binding: .httpPOST, redirectSignature: nil)
    }

    /// The request as a signed HTTP-Redirect query string.
    func redirectQuery(_ xml: String, key: XMLSigningKey? = nil) throws -> Substring {
        let url = try RedirectBinding.encode(xml: xml, relayState: "state", destination: idp.ssoURL, key: key ?? spKey)
        return url.split(separator: "?", maxSplits: 1)[1]
    }
}

enum PEMBody {
    static func of(_ pem: String) -> String {
        pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    }
}
