import CXMLSec

extension XMLNode {
    /// Puts this element inside a new element `name` of `namespace`, which takes its place in the document
    /// (e.g. a saml:Assertion into a saml:EncryptedAssertion). The namespace must be declared in scope.
    public func wrap(inElementNamed name: String, namespace: String) throws(XMLError) -> XMLNode {
        guard let parent = pointer.pointee.parent, let ns = xmlSearchNsByHref(document.pointer, parent, namespace),
              let wrapper = xmlNewDocNode(document.pointer, ns, name, nil) else {
            throw .malformed
        }
        xmlReplaceNode(pointer, wrapper)
        xmlAddChild(wrapper, pointer)
        return XMLNode(document: document, pointer: wrapper)
    }
}
