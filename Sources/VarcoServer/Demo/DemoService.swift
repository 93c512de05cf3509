import Foundation
import VarcoCore
import VarcoSAML
import VarcoXML

/// One of the three demo services (FSE, Bandi online, Prenota Salute): a small SAML service provider
/// served on loopback beside Varco, to show a login end to end.
struct DemoService: Sendable {
    let slug: String
    let name: String
    let level: LevelOfAssurance
    let attributes: [IdentityAttribute]

    static let all = [
        DemoService(slug: "fse", name: "Fascicolo Sanitario Elettronico", level: .spidL2,
                    attributes: [.fiscalNumber, .name, .familyName, .dateOfBirth, .placeOfBirth]),
        DemoService(slug: "bandi", name: "Bandi online", level: .spidL2,
                    attributes: [.fiscalNumber, .name, .familyName, .email, .mobilePhone]),
        DemoService(slug: "prenota", name: "Prenota Salute", level: .spidL1,
                    attributes: [.fiscalNumber, .name, .familyName, .dateOfBirth]),
    ]

    func baseURL(port: Int) -> String { "http://127.0.0.1:\(port)/\(slug)" }
    func entityID(port: Int) -> String { "\(baseURL(port: port))/metadata" }
    func acsURL(port: Int) -> String { "\(baseURL(port: port))/acs" }

    /// The service's SAML metadata: signed requests, signed assertions, one POST ACS. Its certificate is also its
    /// encryption certificate, so assertion encryption can be turned on for it in the console.
    func metadata(port: Int, certificateBase64: String) -> String {
        let requested = attributes.map {
            #"<md:RequestedAttribute Name="\#($0.rawValue)" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"/>"#
        }.joined()
        return """
            <md:EntityDescriptor xmlns:md="\(SAMLNamespace.metadata)" xmlns:ds="\(SAMLNamespace.dsig)" entityID="\(entityID(port: port))">\
            <md:SPSSODescriptor protocolSupportEnumeration="\(SAMLNamespace.protocol_)" AuthnRequestsSigned="true" WantAssertionsSigned="true">\
            <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(certificateBase64)</ds:X509Certificate>\
            </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
            <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(certificateBase64)</ds:X509Certificate>\
            </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
            <md:SingleLogoutService Binding="\(SAMLBinding.httpRedirect.rawValue)" Location="\(baseURL(port: port))/slo"/>\
            <md:NameIDFormat>\(NameIDFormat.transient)</md:NameIDFormat>\
            <md:AssertionConsumerService Binding="\(SAMLBinding.httpPOST.rawValue)" Location="\(acsURL(port: port))" index="0" isDefault="true"/>\
            <md:AttributeConsumingService index="0" isDefault="true"><md:ServiceName xml:lang="it">\(name)</md:ServiceName>\(requested)\
            </md:AttributeConsumingService></md:SPSSODescriptor>\
            <md:Organization><md:OrganizationName xml:lang="it">\(name)</md:OrganizationName>\
            <md:OrganizationDisplayName xml:lang="it">\(name)</md:OrganizationDisplayName>\
            <md:OrganizationURL xml:lang="it">\(baseURL(port: port))/</md:OrganizationURL></md:Organization></md:EntityDescriptor>
            """
    }

    /// A signed HTTP-Redirect AuthnRequest URL toward Varco.
    func loginURL(port: Int, requestID: String, idp: IdentityProviderConfiguration, key: XMLSigningKey,
                  forceAuthn: Bool, now: Date) throws -> String {
        let xml = """
            <samlp:AuthnRequest xmlns:samlp="\(SAMLNamespace.protocol_)" xmlns:saml="\(SAMLNamespace.assertion)" \
            ID="\(requestID)" Version="2.0" IssueInstant="\(SAMLTime.format(now))" Destination="\(idp.ssoURL)" \
            AssertionConsumerServiceIndex="0" AttributeConsumingServiceIndex="0"\(forceAuthn ? #" ForceAuthn="true""# : "")>\
            <saml:Issuer>\(entityID(port: port))</saml:Issuer>\
            <samlp:NameIDPolicy Format="\(NameIDFormat.transient)"/>\
            <samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>\(level.uri)</saml:AuthnContextClassRef>\
            </samlp:RequestedAuthnContext></samlp:AuthnRequest>
            """
        return try RedirectBinding.encode(xml: xml, relayState: slug, destination: idp.ssoURL, key: key)
    }
}
