import VarcoXML

/// The SAML SOAP binding (SAML bindings §3.2): a message as the only child of a SOAP 1.1 Body.
public enum SOAPBinding {
    public static let envelopeNamespace = "http://schemas.xmlsoap.org/soap/envelope/"

    /// Wraps a serialized SAML message (without XML declaration) in a SOAP envelope.
    public static func envelope(_ message: String) -> String {
        #"<soap:Envelope xmlns:soap="\#(envelopeNamespace)"><soap:Body>\#(message)</soap:Body></soap:Envelope>"#
    }

    /// The SAML message inside a SOAP envelope, as an inbound message whose signature is enveloped.
    public static func decode(_ bytes: [UInt8], limits: BindingLimits = .init()) throws(BindingError) -> InboundMessage {
        guard bytes.count <= limits.maxXMLLength else { throw .tooLarge }
        guard let document = try? XMLDocument(bytes: bytes), document.root.isElement("Envelope", namespace: envelopeNamespace),
              let body = try? document.root.child("Body", namespace: envelopeNamespace),
              body.children.count == 1 else { throw .missingMessage }
        return InboundMessage(xml: Array(body.children[0].serialized().utf8), relayState: nil, binding: .soap, redirectSignature: nil)
    }
}
