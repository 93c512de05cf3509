import VarcoSAML
import VarcoXML

/// A message Varco sends to a SPID or CIE identity provider through the browser, signed for either binding.
public protocol UpstreamOutboundMessage: Sendable {
    /// `SAMLRequest` or `SAMLResponse`.
    static var parameter: String { get }
    /// The provider's endpoint for the binding used.
    var destination: String { get }
    func xml() -> String
}

extension UpstreamOutboundMessage {
    /// HTTP-Redirect: no signature in the XML; the query string `SAMLRequest=...&RelayState=...&SigAlg=...`
    /// is signed (RSA-SHA256), each value percent-encoded with only `A-Za-z0-9-._~` left literal and
    /// upper-case hex, as validators re-encode it.
    public func redirectURL(relayState: String?, key: XMLSigningKey) throws(XMLError) -> String {
        try RedirectBinding.encode(xml: xml(), parameter: Self.parameter, relayState: relayState, destination: destination, key: key)
    }

    /// HTTP-POST: the XML carries an enveloped signature right after the Issuer.
    public func postForm(relayState: String, key: XMLSigningKey) throws(XMLError) -> PostBinding.Form {
        let document = try XMLDocument(string: xml())
        let issuer = try document.root.child("Issuer", namespace: SAMLNamespace.assertion)
        try EnvelopedSignature.sign(document.root, after: issuer, key: key)
        return PostBinding.form(xml: document.serializedRoot(), parameter: Self.parameter, relayState: relayState, destination: destination)
    }
}
