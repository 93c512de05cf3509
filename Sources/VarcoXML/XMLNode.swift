import CXMLSec
import CXMLSecShim
import Foundation

/// An element of a parsed document. Holds its document alive.
public struct XMLNode: @unchecked Sendable {
    let document: XMLDocument
    let pointer: xmlNodePtr

    init(document: XMLDocument, pointer: xmlNodePtr) {
        self.document = document
        self.pointer = pointer
    }

    /// The local name, without prefix.
    public var name: String { String(cString: pointer.pointee.name) }

    /// The namespace URI, or nil if the element has none.
    public var namespace: String? {
        guard let ns = pointer.pointee.ns, let href = ns.pointee.href else { return nil }
        return String(cString: href)
    }

    public func isElement(_ name: String, namespace: String) -> Bool {
        self.name == name && self.namespace == namespace
    }

    /// The value of an attribute without namespace, e.g. `ID`.
    public func attribute(_ name: String) -> String? {
        guard let value = xmlGetNoNsProp(pointer, name) else { return nil }
        defer { varco_xml_free(value) }
        return String(cString: value)
    }

    /// Whether the element carries an attribute of this name more than once is impossible in
    /// well-formed XML; this lists all attribute names to let callers refuse unexpected ones.
    public var attributeNames: [String] {
        var names: [String] = []
        var current = pointer.pointee.properties
        while let attr = current {
            names.append(String(cString: attr.pointee.name))
            current = attr.pointee.next
        }
        return names
    }

    /// Child elements, in document order.
    public var children: [XMLNode] {
        var result: [XMLNode] = []
        var current = pointer.pointee.children
        while let node = current {
            if node.pointee.type == XML_ELEMENT_NODE { result.append(XMLNode(document: document, pointer: node)) }
            current = node.pointee.next
        }
        return result
    }

    public func children(_ name: String, namespace: String) -> [XMLNode] {
        children.filter { $0.isElement(name, namespace: namespace) }
    }

    /// The only child with this name, nil if none; throws if there are several.
    public func child(_ name: String, namespace: String) throws(XMLError) -> XMLNode? {
        let found = children(name, namespace: namespace)
        guard found.count <= 1 else { throw .malformed }
        return found.first
    }

    /// The text content, whitespace trimmed.
    public var text: String {
        guard let content = xmlNodeGetContent(pointer) else { return "" }
        defer { varco_xml_free(content) }
        return String(cString: content).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// This element serialised (with the namespace declarations in scope it uses).
    public func serialized() -> String {
        guard let buffer = xmlBufferCreate() else { return "" }
        defer { xmlBufferFree(buffer) }
        xmlNodeDump(buffer, document.pointer, pointer, 0, 0)
        guard let content = xmlBufferContent(buffer) else { return "" }
        return String(cString: content)
    }
}

