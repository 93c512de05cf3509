import VarcoCore
import VarcoXML

/// What Varco trusts about a service provider, read from its SAML metadata (SAML metadata §2.4.4).
public struct ServiceProviderMetadata: Sendable, Equatable {
    public struct Endpoint: Sendable, Equatable {
        public var binding: String
        public var location: String
        public var index: Int?
        public var isDefault: Bool
        /// Where responses go, if not to `location` (SAML metadata §2.2.2).
        public var responseLocation: String? = nil

        public init(binding: String, location: String, index: Int? = nil, isDefault: Bool = false, responseLocation: String? = nil) {
            self.binding = binding
            self.location = location
            self.index = index
            self.isDefault = isDefault
            self.responseLocation = responseLocation
        }
    }

    public struct AttributeConsumingService: Sendable, Equatable {
        public var index: Int
        public var isDefault: Bool
        public var requestedAttributes: [String]
    }

    public var entityID: String
    public var authnRequestsSigned: Bool
    public var wantAssertionsSigned: Bool
    /// Base64 DER certificates usable to verify the service's signatures.
    public var signingCertificates: [String]
    /// Base64 DER certificates to encrypt assertions to: KeyDescriptor use="encryption", or without `use`,
    /// which serves both purposes (SAML metadata §2.4.1.1).
    public var encryptionCertificates: [String]
    /// The algorithms the service declares it accepts for encryption (md:EncryptionMethod in those KeyDescriptors,
    /// SAML metadata §2.4.1.1); empty: not declared.
    public var encryptionMethods: [String]
    public var assertionConsumerServices: [Endpoint]
    public var singleLogoutServices: [Endpoint]
    public var nameIDFormats: [String]
    public var attributeConsumingServices: [AttributeConsumingService]
    public var organizationName: String?

    public enum Invalid: Error, Equatable {
        case notXML(String)
        case notAnEntityDescriptor
        case noServiceProviderRole
        case noAssertionConsumerService
        case insecureLocation(String)
    }

    /// Parses an EntityDescriptor holding an SPSSODescriptor.
    public init(xml: String) throws(Invalid) {
        let document: XMLDocument
        do { document = try XMLDocument(string: xml, limit: 1024 * 1024) } catch { throw .notXML("\(error)") }
        let root = document.root
        guard root.isElement("EntityDescriptor", namespace: SAMLNamespace.metadata),
              let entityID = root.attribute("entityID"), !entityID.isEmpty else { throw .notAnEntityDescriptor }
        guard let sp = root.children("SPSSODescriptor", namespace: SAMLNamespace.metadata).first else {
            throw .noServiceProviderRole
        }
        self.entityID = entityID
        authnRequestsSigned = sp.attribute("AuthnRequestsSigned") == "true" || sp.attribute("AuthnRequestsSigned") == "1"
        wantAssertionsSigned = sp.attribute("WantAssertionsSigned") == "true" || sp.attribute("WantAssertionsSigned") == "1"
        let keyDescriptors = sp.children("KeyDescriptor", namespace: SAMLNamespace.metadata)
        signingCertificates = keyDescriptors.filter { ($0.attribute("use") ?? "signing") == "signing" }
            .flatMap { Self.certificates(in: $0) }
        let encryption = keyDescriptors.filter { ($0.attribute("use") ?? "encryption") == "encryption" }
        encryptionCertificates = encryption.flatMap { Self.certificates(in: $0) }
        encryptionMethods = encryption.flatMap { $0.children("EncryptionMethod", namespace: SAMLNamespace.metadata) }
            .compactMap { $0.attribute("Algorithm") }
        assertionConsumerServices = Self.endpoints(sp, "AssertionConsumerService")
        singleLogoutServices = Self.endpoints(sp, "SingleLogoutService")
        nameIDFormats = sp.children("NameIDFormat", namespace: SAMLNamespace.metadata).map(\.text)
        attributeConsumingServices = sp.children("AttributeConsumingService", namespace: SAMLNamespace.metadata).compactMap { acs in
            guard let index = acs.attribute("index").flatMap(Int.init) else { return nil }
            let names = acs.children("RequestedAttribute", namespace: SAMLNamespace.metadata).compactMap { $0.attribute("Name") }
            return AttributeConsumingService(index: index, isDefault: acs.attribute("isDefault") == "true", requestedAttributes: names)
        }
        organizationName = root.children("Organization", namespace: SAMLNamespace.metadata).first?
            .children("OrganizationDisplayName", namespace: SAMLNamespace.metadata).first?.text
        guard !assertionConsumerServices.isEmpty else { throw .noAssertionConsumerService }
        for endpoint in assertionConsumerServices + singleLogoutServices {
            for location in [endpoint.location] + (endpoint.responseLocation.map { [$0] } ?? []) {
                guard location.hasPrefix("https://") || Self.isLoopback(location) else { throw .insecureLocation(location) }
            }
        }
    }

    /// The ACS for a response: by index, or by URL (which must be listed), or the default one.
    public func assertionConsumerService(index: Int?, url: String?, binding: String?) -> Endpoint? {
        let post = assertionConsumerServices.filter { $0.binding == SAMLBinding.httpPOST.rawValue }
        if let index { return post.first { $0.index == index } }
        if let url { return post.first { $0.location == url } }
        return post.first { $0.isDefault } ?? post.sorted { ($0.index ?? 0) < ($1.index ?? 0) }.first
    }

    /// The SingleLogoutService to reach the service through the browser: HTTP-Redirect first (every SAML
    /// library takes it, and a redirect needs no script), then HTTP-POST. Nil when it offers neither.
    public var browserLogoutService: Endpoint? {
        singleLogoutServices.first { $0.binding == SAMLBinding.httpRedirect.rawValue }
            ?? singleLogoutServices.first { $0.binding == SAMLBinding.httpPOST.rawValue }
    }

    /// The SOAP SingleLogoutService, for services reachable only over the back channel (SAML bindings §3.2).
    public var soapLogoutService: Endpoint? {
        singleLogoutServices.first { $0.binding == SAMLBinding.soap.rawValue }
    }

    /// The attributes requested by the AttributeConsumingService chosen by index (or the default one).
    public func requestedAttributes(index: Int?) -> [IdentityAttribute] {
        let service = index.flatMap { i in attributeConsumingServices.first { $0.index == i } }
            ?? attributeConsumingServices.first { $0.isDefault } ?? attributeConsumingServices.first
        return (service?.requestedAttributes ?? []).compactMap(IdentityAttribute.init(rawValue:))
    }

    public func verificationKeys() -> [XMLVerificationKey] {
        signingCertificates.compactMap { try? XMLVerificationKey(certificate: $0) }
    }

    /// The certificate assertions are encrypted to: the first usable RSA one; nil when there is none.
    public func encryptionKey() -> XMLEncryptionCertificate? {
        encryptionCertificates.lazy.compactMap { try? XMLEncryptionCertificate(certificate: $0) }.first
    }

    private static func certificates(in keyDescriptor: XMLNode) -> [String] {
        keyDescriptor.children("KeyInfo", namespace: SAMLNamespace.dsig)
            .flatMap { $0.children("X509Data", namespace: SAMLNamespace.dsig) }
            .flatMap { $0.children("X509Certificate", namespace: SAMLNamespace.dsig) }
            .map { $0.text.filter { !$0.isWhitespace } }
    }

    private static func endpoints(_ sp: XMLNode, _ name: String) -> [Endpoint] {
        sp.children(name, namespace: SAMLNamespace.metadata).compactMap { node in
            guard let binding = node.attribute("Binding"), let location = node.attribute("Location") else { return nil }
            return Endpoint(binding: binding, location: location, index: node.attribute("index").flatMap(Int.init),
                            isDefault: node.attribute("isDefault") == "true", responseLocation: node.attribute("ResponseLocation"))
        }
    }

    static func isLoopback(_ url: String) -> Bool {
        ["http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/", "http://[::1]"].contains { url.hasPrefix($0) }
    }
}
