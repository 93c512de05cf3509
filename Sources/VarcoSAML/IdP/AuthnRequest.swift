import Foundation
import VarcoXML

/// A samlp:AuthnRequest (SAML core §3.4.1), read from a document already trusted by the caller.
public struct AuthnRequest: Sendable, Equatable {
    public var id: String
    public var version: String
    public var issueInstant: Date?
    public var destination: String?
    public var issuer: String
    public var assertionConsumerServiceURL: String?
    public var assertionConsumerServiceIndex: Int?
    public var protocolBinding: String?
    public var attributeConsumingServiceIndex: Int?
    public var forceAuthn: Bool
    public var isPassive: Bool
    public var nameIDPolicyFormat: String?
    public var requestedAuthnContext: RequestedAuthnContext?

    public struct RequestedAuthnContext: Sendable, Equatable {
        public enum Comparison: String, Sendable { case exact, minimum, better, maximum }
        public var comparison: Comparison
        public var classRefs: [String]
    }

    public enum Invalid: Error, Equatable {
        case notAnAuthnRequest
        case missing(String)
        case badValue(String)
    }

    /// The issuer, read before any signature check only to find whose keys to check it with.
    public static func claimedIssuer(of root: XMLNode) -> String? {
        guard root.isElement("AuthnRequest", namespace: SAMLNamespace.protocol_) else { return nil }
        let issuers = root.children("Issuer", namespace: SAMLNamespace.assertion)
        guard issuers.count == 1 else { return nil }
        return issuers[0].text
    }

    public init(_ root: XMLNode) throws(Invalid) {
        guard root.isElement("AuthnRequest", namespace: SAMLNamespace.protocol_) else { throw .notAnAuthnRequest }
        guard let id = root.attribute("ID"), !id.isEmpty else { throw .missing("ID") }
        guard let version = root.attribute("Version") else { throw .missing("Version") }
        let issuers = root.children("Issuer", namespace: SAMLNamespace.assertion)
        guard issuers.count == 1, !issuers[0].text.isEmpty else { throw .missing("Issuer") }
        self.id = id
        self.version = version
        self.issueInstant = root.attribute("IssueInstant").flatMap(SAMLTime.parse)
        self.destination = root.attribute("Destination")
        self.issuer = issuers[0].text
        self.assertionConsumerServiceURL = root.attribute("AssertionConsumerServiceURL")
        self.assertionConsumerServiceIndex = try Self.integer(root, "AssertionConsumerServiceIndex")
        self.protocolBinding = root.attribute("ProtocolBinding")
        self.attributeConsumingServiceIndex = try Self.integer(root, "AttributeConsumingServiceIndex")
        self.forceAuthn = try Self.boolean(root, "ForceAuthn")
        self.isPassive = try Self.boolean(root, "IsPassive")
        let policies = root.children("NameIDPolicy", namespace: SAMLNamespace.protocol_)
        guard policies.count <= 1 else { throw .badValue("NameIDPolicy") }
        self.nameIDPolicyFormat = policies.first?.attribute("Format")
        let contexts = root.children("RequestedAuthnContext", namespace: SAMLNamespace.protocol_)
        guard contexts.count <= 1 else { throw .badValue("RequestedAuthnContext") }
        if let context = contexts.first {
            let raw = context.attribute("Comparison") ?? "exact"
            guard let comparison = RequestedAuthnContext.Comparison(rawValue: raw) else { throw .badValue("Comparison") }
            let refs = context.children("AuthnContextClassRef", namespace: SAMLNamespace.assertion).map(\.text)
            guard !refs.isEmpty else { throw .missing("AuthnContextClassRef") }
            self.requestedAuthnContext = RequestedAuthnContext(comparison: comparison, classRefs: refs)
        }
    }

    private static func integer(_ node: XMLNode, _ name: String) throws(Invalid) -> Int? {
        guard let raw = node.attribute(name) else { return nil }
        guard let value = Int(raw), value >= 0, value <= 65535 else { throw .badValue(name) }
        return value
    }

    private static func boolean(_ node: XMLNode, _ name: String) throws(Invalid) -> Bool {
        switch node.attribute(name) {
        case nil, "false", "0": return false
        case "true", "1": return true
        default: throw .badValue(name)
        }
    }
}
