import SwiftASN1
import X509

/// Extensions swift-certificates does not decode: certificate policies (RFC 5280 §4.2.1.4) and CRL
/// distribution points (§4.2.1.13). Only what the card checks need: policy OIDs and http(s) URIs.
extension Certificate {
    static let certificatePoliciesOID: ASN1ObjectIdentifier = [2, 5, 29, 32]
    static let crlDistributionPointsOID: ASN1ObjectIdentifier = [2, 5, 29, 31]

    /// `certificatePolicies ::= SEQUENCE OF PolicyInformation`, `PolicyInformation ::= SEQUENCE { policyIdentifier, ... }`.
    func policyOIDs() throws -> [String] {
        guard let ext = extensions[oid: Self.certificatePoliciesOID] else { return [] }
        let root = try DER.parse(ext.value)
        guard case .constructed(let policies) = root.content else { throw ASN1Error.unexpectedFieldType(root.identifier) }
        return try policies.map { information in
            guard case .constructed(let fields) = information.content, let first = fields.first(where: { _ in true }) else {
                throw ASN1Error.unexpectedFieldType(information.identifier)
            }
            return try ASN1ObjectIdentifier(derEncoded: first).description
        }
    }

    /// The URIs of `cRLDistributionPoints` full names (GeneralName `uniformResourceIdentifier`, tag [6]).
    func crlDistributionURIs() throws -> [String] {
        guard let ext = extensions[oid: Self.crlDistributionPointsOID] else { return [] }
        var uris: [String] = []
        func collect(_ node: ASN1Node) {
            switch node.content {
            case .constructed(let children):
                for child in children { collect(child) }
            case .primitive(let bytes):
                if node.identifier.tagClass == .contextSpecific, node.identifier.tagNumber == 6 {
                    uris.append(String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        collect(try DER.parse(ext.value))
        return uris
    }

    /// The first OCSP responder URI of the authority information access extension.
    func ocspResponderURI() throws -> String? {
        guard let access = try extensions.authorityInformationAccess else { return nil }
        for description in access where description.method == .ocspServer {
            if case .uniformResourceIdentifier(let uri) = description.location { return uri }
        }
        return nil
    }
}
