import CXMLSec
import CXMLSecShim

/// XML-DSig enveloped signatures as SAML uses them (SAML core §5.4): one signature, one
/// same-document reference to the signed element's ID, enveloped + exclusive C14N transforms.
public enum EnvelopedSignature {
    public static let namespace = "http://www.w3.org/2000/09/xmldsig#"

    /// Signs `element` (which must carry an `ID` attribute) with RSA-SHA256, exclusive C14N and a
    /// SHA-256 digest. The ds:Signature is placed right after `after` (the saml:Issuer, as the
    /// schema requires) or first.
    public static func sign(_ element: XMLNode, after: XMLNode?, key: XMLSigningKey) throws(XMLError) {
        guard let id = element.attribute("ID"), !id.isEmpty else { throw .signingFailed("the element has no ID") }
        let status: Int32
        do {
            status = try key.withLentKey { lent in
                varco_dsig_sign(element.document.pointer, element.pointer, after?.pointer, id, lent)
            }
        } catch {
            throw .signingFailed("could not lend the signing key")
        }
        guard status == 0 else { throw .signingFailed("xmlsec could not sign") }
    }

    /// Verifies the signature carried by `element` (a ds:Signature child) against the trusted keys.
    ///
    /// Returns a new document parsed from exactly the bytes that were digested: the signed element,
    /// without its signature. Callers must read the protocol message only from the returned document
    /// (defence against signature wrapping). Throws `signatureMissing` if the element has no signature.
    public static func verify(_ element: XMLNode, keys: [XMLVerificationKey], allowSHA1: Bool = false,
                              limit: Int = XMLDocument.defaultLimit) throws(XMLError) -> XMLDocument {
        let signatures = element.children("Signature", namespace: namespace)
        guard !signatures.isEmpty else { throw .signatureMissing }
        guard signatures.count == 1 else { throw .signatureInvalid("more than one signature") }
        guard let id = element.attribute("ID"), !id.isEmpty else { throw .signatureInvalid("the signed element has no ID") }
        guard element.document.countElements(withID: id) == 1 else {
            throw .signatureInvalid("the ID is not unique in the document")
        }
        guard !keys.isEmpty else { throw .signatureInvalid("no trusted key for this issuer") }
        element.document.registerID(of: element)
        var lastFailure = "the signature does not match any trusted key"
        for key in keys {
            var preDigest: UnsafeMutablePointer<UInt8>?
            var length = 0
            let status = varco_dsig_verify(signatures[0].pointer, key.handle.pointer, allowSHA1 ? 1 : 0,
                                           "#\(id)", &preDigest, &length)
            switch Int(status) {
            case Int(VARCO_VERIFY_OK):
                guard let preDigest else { throw .signatureInvalid("no signed content") }
                let bytes = Array(UnsafeBufferPointer(start: preDigest, count: length))
                varco_xml_free(preDigest)
                return try XMLDocument(bytes: bytes, limit: limit)
            case Int(VARCO_VERIFY_BAD_REFERENCE):
                throw .signatureInvalid("the signature must have exactly one reference, to the signed element")
            case Int(VARCO_VERIFY_FAILED):
                continue
            default:
                lastFailure = "the signature could not be checked"
            }
        }
        throw .signatureInvalid(lastFailure)
    }
}

extension XMLDocument {
    /// How many elements carry an attribute named ID, Id or id with this value.
    func countElements(withID id: String) -> Int {
        var count = 0
        func walk(_ node: xmlNodePtr?) {
            var current = node
            while let element = current {
                if element.pointee.type == XML_ELEMENT_NODE {
                    for name in ["ID", "Id", "id"] {
                        if let value = xmlGetProp(element, name) {
                            if String(cString: value) == id { count += 1 }
                            varco_xml_free(value)
                        }
                    }
                    walk(element.pointee.children)
                }
                current = element.pointee.next
            }
        }
        walk(xmlDocGetRootElement(pointer))
        return count
    }

    func registerID(of element: XMLNode) {
        guard let attr = xmlHasProp(element.pointer, "ID"), let value = element.attribute("ID") else { return }
        if xmlGetID(pointer, value) == nil { xmlAddID(nil, pointer, value, attr) }
    }
}
