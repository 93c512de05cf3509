import Foundation
import VarcoCore
import VarcoSAML
import VarcoXML

/// A SPID-profile identity provider that stands in for the national ones in the demo and the tests:
/// it answers an AuthnRequest with a Response shaped like a SPID provider's (signed Response and
/// Assertion, transient NameID with NameQualifier, bearer confirmation, SPID level, SPID attributes).
/// Never registered outside the demo and the tests.
public struct StandInIdentityProvider: Sendable {
    public var entityID: String
    public var ssoURL: String
    public var key: XMLSigningKey
    public var displayName: String
    /// Where it would receive LogoutRequests, if anywhere.
    public var sloURL: String?

    public init(entityID: String, ssoURL: String, key: XMLSigningKey, displayName: String = "SPID di prova (demo)", sloURL: String? = nil) {
        self.entityID = entityID
        self.ssoURL = ssoURL
        self.key = key
        self.displayName = displayName
        self.sloURL = sloURL
    }

    /// The registry entry for this provider (trusted in-process, as its metadata would say).
    public func provider() throws(XMLError) -> UpstreamIdentityProvider {
        UpstreamIdentityProvider(kind: .spid, entityID: entityID, displayName: displayName, ssoRedirectURL: ssoURL, ssoPostURL: ssoURL,
                                 sloRedirectURL: sloURL, keys: [try XMLVerificationKey(certificate: key.certificateBase64)])
    }

    /// What the stand-in reads from an AuthnRequest.
    public struct Request: Sendable, Equatable {
        public var id: String
        public var issuer: String
        public var level: LevelOfAssurance
    }

    /// Reads an AuthnRequest (as received by the HTTP-Redirect or POST binding).
    public static func read(_ xml: [UInt8]) -> Request? {
        guard let document = try? XMLDocument(bytes: xml), document.root.isElement("AuthnRequest", namespace: SAMLNamespace.protocol_),
              let id = document.root.attribute("ID"),
              let issuer = (try? document.root.child("Issuer", namespace: SAMLNamespace.assertion))??.text else { return nil }
        let classRef = (try? (try? document.root.child("RequestedAuthnContext", namespace: SAMLNamespace.protocol_))??
            .child("AuthnContextClassRef", namespace: SAMLNamespace.assertion))??.text
        return Request(id: id, issuer: issuer, level: classRef.flatMap(LevelOfAssurance.init(uri:)) ?? .spidL2)
    }

    /// A signed success Response.
    public func response(inResponseTo requestID: String, audience: String, acsURL: String, level: LevelOfAssurance,
                         attributes: [(String, String)], now: Date, random: any RandomSource,
                         lifetime: TimeInterval = 300) throws(XMLError) -> String {
        try sign(unsignedResponse(inResponseTo: requestID, audience: audience, acsURL: acsURL, level: level,
                                  attributes: attributes, now: now, random: random, lifetime: lifetime))
    }

    /// The success Response before signing (tests alter it to make each kind of bad response).
    public func unsignedResponse(inResponseTo requestID: String, audience: String, acsURL: String, level: LevelOfAssurance,
                                 attributes: [(String, String)], now: Date, random: any RandomSource,
                                 lifetime: TimeInterval = 300) -> String {
        let e = XMLEscape.text
        let responseID = random.xmlID(), assertionID = random.xmlID()
        let instant = SPIDTime.format(now), until = SPIDTime.format(now.addingTimeInterval(lifetime))
        let values = attributes.map { name, value in
            let type = ["dateOfBirth", "expirationDate"].contains(name) ? "xs:date" : "xs:string"
            return "<saml:Attribute Name=\"\(e(name))\" NameFormat=\"\(SPIDProfile.attributeNameFormatBasic)\">"
                + "<saml:AttributeValue xsi:type=\"\(type)\">\(e(value))</saml:AttributeValue></saml:Attribute>"
        }.joined()
        let issuer = "<saml:Issuer Format=\"\(NameIDFormat.entity)\">\(e(entityID))</saml:Issuer>"
        let xml = "<samlp:Response xmlns:samlp=\"\(SAMLNamespace.protocol_)\" xmlns:saml=\"\(SAMLNamespace.assertion)\" "
            + "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
            + "ID=\"\(responseID)\" Version=\"2.0\" IssueInstant=\"\(instant)\" Destination=\"\(e(acsURL))\" InResponseTo=\"\(e(requestID))\">"
            + issuer + "<samlp:Status><samlp:StatusCode Value=\"\(SAMLStatus.TopLevel.success.rawValue)\"/></samlp:Status>"
            + "<saml:Assertion ID=\"\(assertionID)\" Version=\"2.0\" IssueInstant=\"\(instant)\">" + issuer
            + "<saml:Subject><saml:NameID Format=\"\(NameIDFormat.transient)\" NameQualifier=\"\(e(entityID))\">\(random.xmlID())</saml:NameID>"
            + "<saml:SubjectConfirmation Method=\"\(SPIDProfile.bearer)\"><saml:SubjectConfirmationData InResponseTo=\"\(e(requestID))\" "
            + "NotOnOrAfter=\"\(until)\" Recipient=\"\(e(acsURL))\"/></saml:SubjectConfirmation></saml:Subject>"
            + "<saml:Conditions NotBefore=\"\(instant)\" NotOnOrAfter=\"\(until)\"><saml:AudienceRestriction>"
            + "<saml:Audience>\(e(audience))</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
            + "<saml:AuthnStatement AuthnInstant=\"\(instant)\" SessionIndex=\"\(random.xmlID())\"><saml:AuthnContext>"
            + "<saml:AuthnContextClassRef>\(level.uri)</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            + (values.isEmpty ? "" : "<saml:AttributeStatement>\(values)</saml:AttributeStatement>")
            + "</saml:Assertion></samlp:Response>"
        return xml
    }

    /// Signs the Assertion (if any), then the Response, each right after its Issuer.
    public func sign(_ xml: String, response signResponse: Bool = true, assertion signAssertion: Bool = true) throws(XMLError) -> String {
        let document = try XMLDocument(string: xml)
        let a = SAMLNamespace.assertion
        if signAssertion, let assertion = document.root.children("Assertion", namespace: a).first {
            try EnvelopedSignature.sign(assertion, after: try assertion.child("Issuer", namespace: a), key: key)
        }
        if signResponse {
            try EnvelopedSignature.sign(document.root, after: try document.root.child("Issuer", namespace: a), key: key)
        }
        return document.serializedRoot()
    }
}
