import Crypto
import Foundation
import VarcoCore
import VarcoXML

/// Builds and signs SAML Responses (SAML core §3.3.3, profiles §4.1.4.2).
public struct ResponseBuilder: Sendable {
    public var configuration: IdentityProviderConfiguration
    /// Asked at each response, so that a key rollover applies without a restart.
    public var currentKey: @Sendable () -> XMLSigningKey
    public var random: any RandomSource

    public init(configuration: IdentityProviderConfiguration, currentKey: @escaping @Sendable () -> XMLSigningKey, random: any RandomSource) {
        self.configuration = configuration
        self.currentKey = currentKey
        self.random = random
    }

    public init(configuration: IdentityProviderConfiguration, key: XMLSigningKey, random: any RandomSource) {
        self.init(configuration: configuration, currentKey: { key }, random: random)
    }

    public var key: XMLSigningKey { currentKey() }

    /// A successful response with one assertion about the citizen, and the visit to record in the SSO session.
    ///
    /// When `settings.encryptAssertion` is on, the signed assertion is encrypted to `encryptionKey` and sent as
    /// a `saml:EncryptedAssertion` (SAML core §2.3.4, §6.1); without a key nothing is built (fail closed).
    public func success(for request: SAMLLoginRequest, result: AuthnResult, attributes: [(IdentityAttribute, String)],
                        settings: RelyingPartySettings, encryptionKey: XMLEncryptionCertificate? = nil,
                        sessionNotOnOrAfter: Date?, now: Date) throws(XMLError)
        -> (form: PostBinding.Form, visit: ServiceVisit) {
        if settings.encryptAssertion && encryptionKey == nil {
            throw .encryptionFailed("the service wants encrypted assertions but its metadata has no encryption key")
        }
        let nameID = nameID(for: result.citizen, format: request.nameIDFormat, serviceProvider: request.serviceProvider)
        let sessionIndex = random.xmlID()
        let assertionID = random.xmlID()
        let responseID = random.xmlID()
        let instant = SAMLTime.format(now)
        let notOnOrAfter = SAMLTime.format(now.addingTimeInterval(configuration.assertionLifetime))
        let issuer = #"<saml:Issuer Format="\#(NameIDFormat.entity)">\#(XMLEscape.text(configuration.entityID))</saml:Issuer>"#
        let acs = XMLEscape.text(request.assertionConsumerServiceURL)
        let inResponseTo = XMLEscape.text(request.requestID)
        let statement = attributes.isEmpty ? "" : "<saml:AttributeStatement>" + attributes.map { attribute, value in
            #"<saml:Attribute Name="\#(attribute.rawValue)" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">"#
                + #"<saml:AttributeValue xsi:type="xs:string">\#(XMLEscape.text(value))</saml:AttributeValue></saml:Attribute>"#
        }.joined() + "</saml:AttributeStatement>"
        let sessionLimit = sessionNotOnOrAfter.map { #" SessionNotOnOrAfter="\#(SAMLTime.format($0))""# } ?? ""
        let xml = """
            <samlp:Response xmlns:samlp="\(SAMLNamespace.protocol_)" xmlns:saml="\(SAMLNamespace.assertion)" \
            ID="\(responseID)" Version="2.0" IssueInstant="\(instant)" Destination="\(acs)" InResponseTo="\(inResponseTo)">\
            \(issuer)<samlp:Status><samlp:StatusCode Value="\(SAMLStatus.TopLevel.success.rawValue)"/></samlp:Status>\
            <saml:Assertion xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            ID="\(assertionID)" Version="2.0" IssueInstant="\(instant)">\(issuer)\
            <saml:Subject><saml:NameID Format="\(request.nameIDFormat)" NameQualifier="\(XMLEscape.text(configuration.entityID))" \
            SPNameQualifier="\(XMLEscape.text(request.serviceProvider))">\(XMLEscape.text(nameID))</saml:NameID>\
            <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">\
            <saml:SubjectConfirmationData InResponseTo="\(inResponseTo)" NotOnOrAfter="\(notOnOrAfter)" Recipient="\(acs)"/>\
            </saml:SubjectConfirmation></saml:Subject>\
            <saml:Conditions NotBefore="\(instant)" NotOnOrAfter="\(notOnOrAfter)"><saml:AudienceRestriction>\
            <saml:Audience>\(XMLEscape.text(request.serviceProvider))</saml:Audience></saml:AudienceRestriction></saml:Conditions>\
            <saml:AuthnStatement AuthnInstant="\(SAMLTime.format(result.instant))" SessionIndex="\(sessionIndex)"\(sessionLimit)>\
            <saml:AuthnContext><saml:AuthnContextClassRef>\(result.level.uri)</saml:AuthnContextClassRef></saml:AuthnContext>\
            </saml:AuthnStatement>\(statement)</saml:Assertion></samlp:Response>
            """
        let document = try XMLDocument(string: xml)
        let assertion = document.root.children("Assertion", namespace: SAMLNamespace.assertion)[0]
        if settings.signAssertion || !settings.signResponse {
            try EnvelopedSignature.sign(assertion, after: try assertion.child("Issuer", namespace: SAMLNamespace.assertion), key: key)
        }
        if settings.encryptAssertion, let encryptionKey {
            // Sign, then encrypt (SAML core §6.2): the service decrypts, then checks the assertion's signature.
            try EncryptedAssertion.seal(assertion, to: encryptionKey)
        }
        if settings.signResponse {
            try EnvelopedSignature.sign(document.root, after: try document.root.child("Issuer", namespace: SAMLNamespace.assertion), key: key)
        }
        let visit = ServiceVisit(relyingParty: request.serviceProvider, protocolName: "saml", nameID: nameID,
                                 nameIDFormat: request.nameIDFormat, sessionIndex: sessionIndex, instant: now)
        return (PostBinding.form(xml: document.serialized(), relayState: request.relayState,
                                 destination: request.assertionConsumerServiceURL), visit)
    }

    /// A signed response carrying only a non-success status.
    public func failure(_ reply: SAMLErrorReply, now: Date) throws(XMLError) -> PostBinding.Form {
        let second = reply.status.subcode.map { #"<samlp:StatusCode Value="\#($0.rawValue)"/>"# } ?? ""
        let message = reply.status.message.map { "<samlp:StatusMessage>\(XMLEscape.text($0))</samlp:StatusMessage>" } ?? ""
        let inResponseTo = reply.inResponseTo.map { #" InResponseTo="\#(XMLEscape.text($0))""# } ?? ""
        let xml = """
            <samlp:Response xmlns:samlp="\(SAMLNamespace.protocol_)" xmlns:saml="\(SAMLNamespace.assertion)" \
            ID="\(random.xmlID())" Version="2.0" IssueInstant="\(SAMLTime.format(now))" \
            Destination="\(XMLEscape.text(reply.destination))"\(inResponseTo)>\
            <saml:Issuer Format="\(NameIDFormat.entity)">\(XMLEscape.text(configuration.entityID))</saml:Issuer>\
            <samlp:Status><samlp:StatusCode Value="\(reply.status.code.rawValue)">\(second)</samlp:StatusCode>\(message)</samlp:Status>\
            </samlp:Response>
            """
        let document = try XMLDocument(string: xml)
        try EnvelopedSignature.sign(document.root, after: try document.root.child("Issuer", namespace: SAMLNamespace.assertion), key: key)
        return PostBinding.form(xml: document.serialized(), relayState: reply.relayState, destination: reply.destination)
    }

    /// Transient: a fresh random value per response. Persistent: pairwise, stable per citizen and service,
    /// and unlinkable across services (HMAC-SHA256 of both under Varco's secret).
    func nameID(for citizen: CodiceFiscale, format: String, serviceProvider: String) -> String {
        guard format == NameIDFormat.persistent else { return random.xmlID() }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(serviceProvider)|\(citizen.value)".utf8),
                                                  using: SymmetricKey(data: configuration.pairwiseSecret))
        return "_" + Base64URL.encode(Array(mac))
    }
}
