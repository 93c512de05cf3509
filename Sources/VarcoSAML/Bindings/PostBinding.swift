import Foundation
import VarcoCore

/// The HTTP-POST binding (SAML bindings §3.5): base64 in a form field; signatures are enveloped in the XML.
public enum PostBinding {
    public static func decode(form: URLEncodedForm, parameter: String = "SAMLRequest",
                              limits: BindingLimits = .init()) throws(BindingError) -> InboundMessage {
        guard let encoded = form[parameter] else { throw .missingMessage }
        guard encoded.utf8.count <= limits.maxEncodedLength else { throw .tooLarge }
        guard let xml = Base64Strict.decode(encoded) else { throw .badBase64 }
        guard xml.count <= limits.maxXMLLength else { throw .tooLarge }
        let relayState = form["RelayState"]
        if let relayState, relayState.utf8.count > limits.maxRelayStateLength { throw .relayStateTooLong }
        return InboundMessage(xml: xml, relayState: relayState, binding: .httpPOST, redirectSignature: nil)
    }

    /// The values of the auto-submitting form that carries a message to `destination`.
    public struct Form: Sendable, Equatable {
        public var destination: String
        public var parameter: String
        public var value: String
        public var relayState: String?
    }

    public static func form(xml: String, parameter: String = "SAMLResponse", relayState: String?, destination: String) -> Form {
        Form(destination: destination, parameter: parameter, value: Data(xml.utf8).base64EncodedString(), relayState: relayState)
    }
}
