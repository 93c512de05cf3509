import VarcoCore
import VarcoXML

/// The HTTP-Redirect binding (SAML bindings §3.4): DEFLATE + base64 + URL encoding, with the
/// signature, if any, over the query string rather than inside the XML.
public enum RedirectBinding {
    /// Decodes `SAMLRequest` (or `SAMLResponse`) from a raw query string.
    public static func decode(query: Substring, parameter: String = "SAMLRequest",
                              limits: BindingLimits = .init()) throws(BindingError) -> InboundMessage {
        let form: URLEncodedForm
        do { form = try URLEncodedForm(query, maxLength: limits.maxEncodedLength + 8 * 1024) } catch {
            switch error {
            case .duplicateParameter(let name): throw .duplicateParameter(name)
            case .tooLarge: throw .tooLarge
            case .badEncoding: throw .badEncoding
            }
        }
        guard let encoded = form[parameter], let rawMessage = form.raw(parameter) else { throw .missingMessage }
        guard encoded.utf8.count <= limits.maxEncodedLength else { throw .tooLarge }
        guard let compressed = Base64Strict.decode(encoded) else { throw .badBase64 }
        let xml: [UInt8]
        do { xml = try RawDeflate.inflate(compressed, limit: limits.maxXMLLength) } catch {
            throw error == .corrupt ? .badDeflate : .tooLarge
        }
        let relayState = form["RelayState"]
        if let relayState, relayState.utf8.count > limits.maxRelayStateLength { throw .relayStateTooLong }

        var signature: InboundMessage.RedirectSignature?
        if let sigAlg = form["SigAlg"], let rawSigAlg = form.raw("SigAlg"), let sig = form["Signature"] {
            guard let algorithm = RawSignature.Algorithm(rawValue: sigAlg) else { throw .unsupportedSignatureAlgorithm(sigAlg) }
            guard let bytes = Base64Strict.decode(sig) else { throw .badBase64 }
            var octets = "\(parameter)=\(rawMessage)"
            if let rawRelay = form.raw("RelayState") { octets += "&RelayState=\(rawRelay)" }
            octets += "&SigAlg=\(rawSigAlg)"
            signature = .init(algorithm: algorithm, signature: bytes, signedOctets: Array(octets.utf8))
        }
        return InboundMessage(xml: xml, relayState: relayState, binding: .httpRedirect, redirectSignature: signature)
    }

    /// Encodes a message for a redirect URL, signing the query string when a key is given.
    public static func encode(xml: String, parameter: String = "SAMLRequest", relayState: String?,
                              destination: String, key: XMLSigningKey?) throws(XMLError) -> String {
        let compressed = RawDeflate.deflate(Array(xml.utf8))
        var query = "\(parameter)=\(URLEncodedForm.encode(base64(compressed)))"
        if let relayState { query += "&RelayState=\(URLEncodedForm.encode(relayState))" }
        if let key {
            query += "&SigAlg=\(URLEncodedForm.encode(RawSignature.Algorithm.rsaSHA256.rawValue))"
            let signature = try RawSignature.sign(Array(query.utf8), key: key)
            query += "&Signature=\(URLEncodedForm.encode(base64(signature)))"
        }
        return destination + (destination.contains("?") ? "&" : "?") + query
    }

    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}

import Foundation
