import Foundation
import VarcoXML

/// Varco's own metadata: an EntityDescriptor with an IDPSSODescriptor, signed with the active key and
/// listing the next key too during a rollover (SAML metadata §2.4.3).
public struct IdentityProviderMetadata: Sendable {
    public var entityID: String
    public var ssoRedirectURL: String
    public var ssoPostURL: String
    public var sloRedirectURL: String?
    public var sloPostURL: String?
    public var signingCertificates: [String]
    public var wantAuthnRequestsSigned: Bool
    public var organizationName: String
    public var organizationURL: String
    public var validity: TimeInterval

    public init(entityID: String, ssoRedirectURL: String, ssoPostURL: String, sloRedirectURL: String? = nil,
                sloPostURL: String? = nil, signingCertificates: [String], wantAuthnRequestsSigned: Bool,
                organizationName: String, organizationURL: String, validity: TimeInterval = 7 * 86400) {
        self.entityID = entityID
        self.ssoRedirectURL = ssoRedirectURL
        self.ssoPostURL = ssoPostURL
        self.sloRedirectURL = sloRedirectURL
        self.sloPostURL = sloPostURL
        self.signingCertificates = signingCertificates
        self.wantAuthnRequestsSigned = wantAuthnRequestsSigned
        self.organizationName = organizationName
        self.organizationURL = organizationURL
        self.validity = validity
    }

    /// The signed metadata document.
    public func signed(with key: XMLSigningKey, id: String, now: Date) throws(XMLError) -> String {
        let document = try XMLDocument(string: unsigned(id: id, now: now))
        try EnvelopedSignature.sign(document.root, after: nil, key: key)
        return document.serialized()
    }

    func unsigned(id: String, now: Date) -> String {
        let keys = signingCertificates.map { cert in
            """
            <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(cert)</ds:X509Certificate>\
            </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
            """
        }.joined()
        var logout = ""
        if let sloRedirectURL {
            logout += #"<md:SingleLogoutService Binding="\#(SAMLBinding.httpRedirect.rawValue)" Location="\#(XMLEscape.text(sloRedirectURL))"/>"#
        }
        if let sloPostURL {
            logout += #"<md:SingleLogoutService Binding="\#(SAMLBinding.httpPOST.rawValue)" Location="\#(XMLEscape.text(sloPostURL))"/>"#
        }
        let attributes = ["fiscalNumber", "name", "familyName", "dateOfBirth", "placeOfBirth", "countyOfBirth",
                          "gender", "email", "mobilePhone"].map {
            #"<saml:Attribute Name="\#($0)" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"/>"#
        }.joined()
        return """
            <md:EntityDescriptor xmlns:md="\(SAMLNamespace.metadata)" xmlns:ds="\(SAMLNamespace.dsig)" \
            xmlns:saml="\(SAMLNamespace.assertion)" ID="\(id)" entityID="\(XMLEscape.text(entityID))" \
            validUntil="\(SAMLTime.format(now.addingTimeInterval(validity)))">\
            <md:IDPSSODescriptor protocolSupportEnumeration="\(SAMLNamespace.protocol_)" \
            WantAuthnRequestsSigned="\(wantAuthnRequestsSigned)">\(keys)\(logout)\
            <md:NameIDFormat>\(NameIDFormat.transient)</md:NameIDFormat>\
            <md:NameIDFormat>\(NameIDFormat.persistent)</md:NameIDFormat>\
            <md:SingleSignOnService Binding="\(SAMLBinding.httpRedirect.rawValue)" Location="\(XMLEscape.text(ssoRedirectURL))"/>\
            <md:SingleSignOnService Binding="\(SAMLBinding.httpPOST.rawValue)" Location="\(XMLEscape.text(ssoPostURL))"/>\
            \(attributes)</md:IDPSSODescriptor>\
            <md:Organization><md:OrganizationName xml:lang="it">\(XMLEscape.text(organizationName))</md:OrganizationName>\
            <md:OrganizationDisplayName xml:lang="it">\(XMLEscape.text(organizationName))</md:OrganizationDisplayName>\
            <md:OrganizationURL xml:lang="it">\(XMLEscape.text(organizationURL))</md:OrganizationURL></md:Organization>\
            </md:EntityDescriptor>
            """
    }
}
