/// XML namespaces and fixed URIs of SAML 2.0.
public enum SAMLNamespace {
    public static let protocol_ = "urn:oasis:names:tc:SAML:2.0:protocol"
    public static let assertion = "urn:oasis:names:tc:SAML:2.0:assertion"
    public static let metadata = "urn:oasis:names:tc:SAML:2.0:metadata"
    public static let dsig = "http://www.w3.org/2000/09/xmldsig#"
}

public enum SAMLBinding: String, Codable, Sendable {
    case httpRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    case httpPOST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    case soap = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP"
}

public enum NameIDFormat {
    public static let transient = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
    public static let persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    public static let unspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
    public static let entity = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
}
