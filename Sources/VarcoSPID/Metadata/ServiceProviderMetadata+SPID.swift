import Foundation
import VarcoCore
import VarcoSAML
import VarcoXML

/// Varco's metadata as a service provider toward SPID (SPID technical rules, "metadata", and AgID
/// Avviso 29 v3) or toward CIE (CIE technical manual, "federazione"). Two separate documents: the
/// CIE contact extensions would fail SPID's checks and the other way round.
public struct UpstreamServiceProviderMetadata: Sendable {
    public var endpoints: ServiceProviderEndpoints
    public var settings: ServiceProviderSettings
    /// Base64 DER of the signing certificates: the active one first, then the next during a rollover.
    public var signingCertificates: [String]

    public init(endpoints: ServiceProviderEndpoints, settings: ServiceProviderSettings, signingCertificates: [String]) {
        self.endpoints = endpoints
        self.settings = settings
        self.signingCertificates = signingCertificates
    }

    /// The signed metadata document. The enveloped signature (with the certificate in KeyInfo, which
    /// validators use) is the first child of the EntityDescriptor, as the schema requires.
    public func signed(with key: XMLSigningKey, id: String) throws(XMLError) -> String {
        let document = try XMLDocument(string: unsigned(id: id))
        try EnvelopedSignature.sign(document.root, after: nil, key: key)
        return document.serialized()
    }

    func unsigned(id: String) -> String {
        let e = XMLEscape.text
        let kind = endpoints.kind
        let keys = signingCertificates.map { cert in
            "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(cert)</ds:X509Certificate>"
                + "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        }.joined()
        let slo = endpoints.singleLogoutServiceURL
        // SPID rules: one default ACS at index 0, HTTP-POST (the Response always comes back by POST).
        let acs = "<md:AssertionConsumerService index=\"0\" isDefault=\"true\" Binding=\"\(SAMLBinding.httpPOST.rawValue)\" "
            + "Location=\"\(e(endpoints.assertionConsumerServiceURL))\"/>"
        let services = settings.attributeSets(kind).enumerated().map { index, names in
            "<md:AttributeConsumingService index=\"\(index)\"><md:ServiceName xml:lang=\"it\">\(e(settings.organizationDisplayName))"
                + "</md:ServiceName>"
                + names.map { "<md:RequestedAttribute Name=\"\(e($0))\" NameFormat=\"\(SPIDProfile.attributeNameFormatBasic)\"/>" }.joined()
                + "</md:AttributeConsumingService>"
        }.joined()
        let organization = "<md:Organization><md:OrganizationName xml:lang=\"it\">\(e(settings.organizationName))</md:OrganizationName>"
            + "<md:OrganizationDisplayName xml:lang=\"it\">\(e(settings.organizationDisplayName))</md:OrganizationDisplayName>"
            + "<md:OrganizationURL xml:lang=\"it\">\(e(settings.organizationURL))</md:OrganizationURL></md:Organization>"
        let phone = settings.contactPhone.map { "<md:TelephoneNumber>\(e($0))</md:TelephoneNumber>" } ?? ""
        let contact: String
        let extensionsNamespace: String
        switch kind {
        case .spid:
            // Public SP: spid:IPACode and an empty spid:Public (Avviso 29 v3).
            extensionsNamespace = "xmlns:spid=\"\(SPIDProfile.spidExtensions)\""
            contact = "<md:ContactPerson contactType=\"other\"><md:Extensions><spid:IPACode>\(e(settings.ipaCode))</spid:IPACode>"
                + "<spid:Public/></md:Extensions><md:Company>\(e(settings.organizationName))</md:Company>"
                + "<md:EmailAddress>\(e(settings.contactEmail))</md:EmailAddress>\(phone)</md:ContactPerson>"
        case .cie:
            // CIE: an administrative contact with the CIE extensions, Municipality mandatory.
            extensionsNamespace = "xmlns:cie=\"\(SPIDProfile.cieExtensions)\""
            let province = settings.province.map { "<cie:Province>\(e($0))</cie:Province>" } ?? ""
            contact = "<md:ContactPerson contactType=\"administrative\"><md:Extensions><cie:Public/>"
                + "<cie:IPACode>\(e(settings.ipaCode))</cie:IPACode><cie:Municipality>\(e(settings.municipality))</cie:Municipality>"
                + "\(province)<cie:Country>IT</cie:Country></md:Extensions><md:Company>\(e(settings.organizationName))</md:Company>"
                + "<md:EmailAddress>\(e(settings.contactEmail))</md:EmailAddress>\(phone)</md:ContactPerson>"
        }
        return "<md:EntityDescriptor xmlns:md=\"\(SAMLNamespace.metadata)\" xmlns:ds=\"\(SAMLNamespace.dsig)\" \(extensionsNamespace) "
            + "ID=\"\(id)\" entityID=\"\(e(endpoints.entityID))\">"
            + "<md:SPSSODescriptor protocolSupportEnumeration=\"\(SAMLNamespace.protocol_)\" AuthnRequestsSigned=\"true\" "
            + "WantAssertionsSigned=\"true\">\(keys)"
            + "<md:SingleLogoutService Binding=\"\(SAMLBinding.httpRedirect.rawValue)\" Location=\"\(e(slo))\"/>"
            + "<md:SingleLogoutService Binding=\"\(SAMLBinding.httpPOST.rawValue)\" Location=\"\(e(slo))\"/>"
            + "<md:NameIDFormat>\(NameIDFormat.transient)</md:NameIDFormat>\(acs)\(services)</md:SPSSODescriptor>"
            + "\(organization)\(contact)</md:EntityDescriptor>"
    }
}
