import Foundation
import VarcoCore
import VarcoXML

/// A signed SAML message on its way to a service through the browser.
public enum OutboundMessage: Sendable, Equatable {
    /// HTTP-Redirect: the whole URL, the signature in the query string (bindings §3.4.4.1).
    case redirect(String)
    /// HTTP-POST: an auto-submitting form, the signature enveloped in the XML (bindings §3.5.4).
    case post(PostBinding.Form)

    public var destination: String {
        switch self {
        case .redirect(let url): url
        case .post(let form): form.destination
        }
    }
}

/// Builds and signs Varco's LogoutRequests and LogoutResponses (SAML core §3.7, profiles §4.4).
public struct LogoutMessageBuilder: Sendable {
    public var configuration: IdentityProviderConfiguration
    /// Asked at each message, so that a key rollover applies without a restart.
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

    private var issuer: String {
        #"<saml:Issuer Format="\#(NameIDFormat.entity)">\#(XMLEscape.text(configuration.entityID))</saml:Issuer>"#
    }

    /// A LogoutRequest telling `serviceProvider` that the principal's session ended; returns its ID and the message.
    public func request(to endpoint: ServiceProviderMetadata.Endpoint, serviceProvider: String, nameID: String, nameIDFormat: String,
                        sessionIndex: String, lifetime: TimeInterval, now: Date) throws(XMLError) -> (id: String, message: OutboundMessage) {
        let id = random.xmlID()
        let sessionIndexElement = sessionIndex.isEmpty ? "" : "<samlp:SessionIndex>\(XMLEscape.text(sessionIndex))</samlp:SessionIndex>"
        let xml = """
            <samlp:LogoutRequest xmlns:samlp="\(SAMLNamespace.protocol_)" xmlns:saml="\(SAMLNamespace.assertion)" \
            ID="\(id)" Version="2.0" IssueInstant="\(SAMLTime.format(now))" Destination="\(XMLEscape.text(endpoint.location))" \
            NotOnOrAfter="\(SAMLTime.format(now.addingTimeInterval(lifetime)))">\(issuer)\
            <saml:NameID Format="\(XMLEscape.text(nameIDFormat))" NameQualifier="\(XMLEscape.text(configuration.entityID))" \
            SPNameQualifier="\(XMLEscape.text(serviceProvider))">\(XMLEscape.text(nameID))</saml:NameID>\(sessionIndexElement)\
            </samlp:LogoutRequest>
            """
        return (id, try encode(xml, parameter: "SAMLRequest", binding: endpoint.binding, destination: endpoint.location, relayState: nil))
    }

    /// The LogoutResponse answering a service's LogoutRequest, at the endpoint's ResponseLocation or Location.
    public func response(_ reply: LogoutReply, now: Date) throws(XMLError) -> OutboundMessage {
        let destination = reply.endpoint.responseLocation ?? reply.endpoint.location
        let second = reply.status.subcode.map { #"<samlp:StatusCode Value="\#($0.rawValue)"/>"# } ?? ""
        let message = reply.status.message.map { "<samlp:StatusMessage>\(XMLEscape.text($0))</samlp:StatusMessage>" } ?? ""
        let inResponseTo = reply.inResponseTo.map { #" InResponseTo="\#(XMLEscape.text($0))""# } ?? ""
        let xml = """
            <samlp:LogoutResponse xmlns:samlp="\(SAMLNamespace.protocol_)" xmlns:saml="\(SAMLNamespace.assertion)" \
            ID="\(random.xmlID())" Version="2.0" IssueInstant="\(SAMLTime.format(now))" \
            Destination="\(XMLEscape.text(destination))"\(inResponseTo)>\(issuer)\
            <samlp:Status><samlp:StatusCode Value="\(reply.status.code.rawValue)">\(second)</samlp:StatusCode>\(message)</samlp:Status>\
            </samlp:LogoutResponse>
            """
        return try encode(xml, parameter: "SAMLResponse", binding: reply.endpoint.binding, destination: destination,
                          relayState: reply.relayState)
    }

    /// A LogoutRequest for the SOAP binding: signed inside the XML, ready for `SOAPBinding.envelope`.
    public func soapRequest(to endpoint: ServiceProviderMetadata.Endpoint, serviceProvider: String, nameID: String, nameIDFormat: String,
                            sessionIndex: String, lifetime: TimeInterval, now: Date) throws(XMLError) -> (id: String, xml: String) {
        var post = endpoint
        post.binding = SAMLBinding.httpPOST.rawValue
        let (id, message) = try request(to: post, serviceProvider: serviceProvider, nameID: nameID, nameIDFormat: nameIDFormat,
                                        sessionIndex: sessionIndex, lifetime: lifetime, now: now)
        guard case .post(let form) = message, let data = Data(base64Encoded: form.value) else { throw .malformed }
        return (id, try XMLDocument(bytes: Array(data)).serializedRoot())
    }

    private func encode(_ xml: String, parameter: String, binding: String, destination: String,
                        relayState: String?) throws(XMLError) -> OutboundMessage {
        if binding == SAMLBinding.httpPOST.rawValue {
            let document = try XMLDocument(string: xml)
            try EnvelopedSignature.sign(document.root, after: try document.root.child("Issuer", namespace: SAMLNamespace.assertion), key: key)
            return .post(PostBinding.form(xml: document.serialized(), parameter: parameter, relayState: relayState, destination: destination))
        }
        return .redirect(try RedirectBinding.encode(xml: xml, parameter: parameter, relayState: relayState, destination: destination, key: key))
    }
}
