import Foundation
import VarcoCore
import VarcoSAML
import VarcoXML

/// A national identity provider as its metadata describes it: what Varco needs to send it a request
/// and to trust its answers.
public struct UpstreamIdentityProvider: Sendable {
    public var kind: UpstreamLogin.Kind
    public var entityID: String
    /// Shown in the chooser (OrganizationDisplayName, else the entityID).
    public var displayName: String
    public var ssoRedirectURL: String?
    public var ssoPostURL: String?
    public var sloRedirectURL: String?
    public var sloPostURL: String?
    /// The signing keys from the metadata: the only keys responses are checked with.
    public var keys: [XMLVerificationKey]

    public init(kind: UpstreamLogin.Kind, entityID: String, displayName: String, ssoRedirectURL: String?, ssoPostURL: String?,
                sloRedirectURL: String? = nil, sloPostURL: String? = nil, keys: [XMLVerificationKey]) {
        self.kind = kind
        self.entityID = entityID
        self.displayName = displayName
        self.ssoRedirectURL = ssoRedirectURL
        self.ssoPostURL = ssoPostURL
        self.sloRedirectURL = sloRedirectURL
        self.sloPostURL = sloPostURL
        self.keys = keys
    }

    public enum MetadataProblem: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case notSigned
        case badSignature(String)
        case noIdentityProvider
        case incomplete(String)

        public var description: String {
            switch self {
            case .unreadable(let detail): "the metadata is not well-formed XML: \(detail)"
            case .notSigned: "the metadata is not signed: give the federation's signing certificate, or (tests only) trust it explicitly"
            case .badSignature(let detail): "the metadata signature does not verify with the federation certificate: \(detail)"
            case .noIdentityProvider: "the metadata holds no IDPSSODescriptor"
            case .incomplete(let detail): "identity provider metadata incomplete: \(detail)"
            }
        }
    }

    /// Every identity provider of a metadata document (an EntityDescriptor or an EntitiesDescriptor).
    ///
    /// - Parameter signers: the federation certificates (AgID's registry, the Ministry's for CIE); the
    ///   document must carry a signature that verifies with one of them. Empty only under the explicit
    ///   test setting: the document is then trusted unsigned.
    public static func parse(_ bytes: [UInt8], kind: UpstreamLogin.Kind, signers: [XMLVerificationKey]) throws(MetadataProblem) -> [UpstreamIdentityProvider] {
        let document: XMLDocument
        do { document = try XMLDocument(bytes: bytes, limit: 8 * 1024 * 1024) } catch { throw .unreadable("\(error)") }
        var root = document.root
        if !signers.isEmpty {
            do {
                root = try EnvelopedSignature.verify(document.root, keys: signers, limit: 8 * 1024 * 1024).root
            } catch XMLError.signatureMissing {
                throw .notSigned
            } catch { throw .badSignature("\(error)") }
        }
        let md = SAMLNamespace.metadata
        let entities: [XMLNode]
        if root.isElement("EntitiesDescriptor", namespace: md) {
            entities = root.children("EntityDescriptor", namespace: md)
        } else if root.isElement("EntityDescriptor", namespace: md) {
            entities = [root]
        } else {
            throw .noIdentityProvider
        }
        var result: [UpstreamIdentityProvider] = []
        for entity in entities {
            guard let descriptor = entity.children("IDPSSODescriptor", namespace: md).first else { continue }
            result.append(try provider(entity, descriptor, kind: kind))
        }
        guard !result.isEmpty else { throw .noIdentityProvider }
        return result
    }

    private static func provider(_ entity: XMLNode, _ descriptor: XMLNode, kind: UpstreamLogin.Kind) throws(MetadataProblem) -> UpstreamIdentityProvider {
        let md = SAMLNamespace.metadata
        guard let entityID = entity.attribute("entityID"), !entityID.isEmpty else { throw .incomplete("an EntityDescriptor has no entityID") }
        let keys = descriptor.children("KeyDescriptor", namespace: md)
            .filter { ($0.attribute("use") ?? "signing") == "signing" }
            .flatMap { $0.children("KeyInfo", namespace: SAMLNamespace.dsig) }
            .flatMap { $0.children("X509Data", namespace: SAMLNamespace.dsig) }
            .flatMap { $0.children("X509Certificate", namespace: SAMLNamespace.dsig) }
            .compactMap { try? XMLVerificationKey(certificate: $0.text) }
        guard !keys.isEmpty else { throw .incomplete("\(entityID) publishes no signing certificate") }
        func location(_ element: String, _ binding: SAMLBinding) -> String? {
            descriptor.children(element, namespace: md).first { $0.attribute("Binding") == binding.rawValue }?.attribute("Location")
        }
        let redirect = location("SingleSignOnService", .httpRedirect), post = location("SingleSignOnService", .httpPOST)
        guard redirect != nil || post != nil else { throw .incomplete("\(entityID) has no HTTP-Redirect or HTTP-POST SingleSignOnService") }
        let organization = entity.children("Organization", namespace: md).first
        let names = organization?.children("OrganizationDisplayName", namespace: md) ?? []
        let display = (names.first { $0.attribute("lang") == "it" } ?? names.first)?.text
        return UpstreamIdentityProvider(kind: kind, entityID: entityID, displayName: display.flatMap { $0.isEmpty ? nil : $0 } ?? entityID,
                                        ssoRedirectURL: redirect, ssoPostURL: post,
                                        sloRedirectURL: location("SingleLogoutService", .httpRedirect),
                                        sloPostURL: location("SingleLogoutService", .httpPOST), keys: keys)
    }
}
