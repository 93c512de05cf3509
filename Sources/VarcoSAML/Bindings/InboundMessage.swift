import Foundation
import VarcoCore
import VarcoXML

/// A SAML protocol message as received over a binding, before any check of its content.
public struct InboundMessage: Sendable {
    public var xml: [UInt8]
    public var relayState: String?
    public var binding: SAMLBinding
    /// The HTTP-Redirect binding's detached signature, if any.
    public var redirectSignature: RedirectSignature?

    public init(xml: [UInt8], relayState: String?, binding: SAMLBinding, redirectSignature: RedirectSignature?) {
        self.xml = xml
        self.relayState = relayState
        self.binding = binding
        self.redirectSignature = redirectSignature
    }

    public struct RedirectSignature: Sendable {
        public var algorithm: RawSignature.Algorithm
        public var signature: [UInt8]
        /// `SAMLRequest=...&RelayState=...&SigAlg=...` exactly as received (SAML bindings §3.4.4.1).
        public var signedOctets: [UInt8]
    }
}

/// Why a binding could not deliver a message. All are the sender's fault (HTTP 400).
public enum BindingError: Error, Equatable, Sendable {
    case missingMessage
    case duplicateParameter(String)
    case badEncoding
    case badBase64
    case badDeflate
    case tooLarge
    case relayStateTooLong
    case unsupportedSignatureAlgorithm(String)
}

/// Size limits for inbound messages.
public struct BindingLimits: Sendable {
    public var maxEncodedLength = 128 * 1024
    public var maxXMLLength = 256 * 1024
    /// SAML bindings §3.4.3 says 80 bytes; common SPs send a return URL, so allow a bit more.
    public var maxRelayStateLength = 1024
    public init() {}
}

enum Base64Strict {
    static func decode(_ text: String) -> [UInt8]? {
        let compact = text.filter { !$0.isWhitespace }
        guard !compact.isEmpty, let data = Data(base64Encoded: compact) else { return nil }
        return Array(data)
    }
}
