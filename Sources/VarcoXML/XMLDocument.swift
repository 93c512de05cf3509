import CXMLSec
import CXMLSecShim

/// A parsed XML document. Parsing never touches the network, never substitutes entities and refuses
/// any DOCTYPE; input larger than `limit` bytes is refused before parsing.
public final class XMLDocument: @unchecked Sendable {
    let pointer: xmlDocPtr

    /// The default size limit for protocol messages: 256 KiB.
    public static let defaultLimit = 256 * 1024

    public init(bytes: [UInt8], limit: Int = XMLDocument.defaultLimit) throws(XMLError) {
        try XMLSecurity.ensure()
        guard bytes.count <= limit else { throw .tooLarge(limit: limit) }
        guard !bytes.isEmpty else { throw .malformed }
        var outcome: Int32 = 0
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                varco_xml_parse(chars.baseAddress, Int32(chars.count), &outcome)
            }
        }
        guard let parsed else {
            throw outcome == Int32(VARCO_PARSE_DTD) ? .doctypeRefused : .malformed
        }
        guard xmlDocGetRootElement(parsed) != nil else {
            xmlFreeDoc(parsed)
            throw .malformed
        }
        pointer = parsed
    }

    public convenience init(string: String, limit: Int = XMLDocument.defaultLimit) throws(XMLError) {
        try self.init(bytes: Array(string.utf8), limit: limit)
    }

    deinit { xmlFreeDoc(pointer) }

    public var root: XMLNode {
        XMLNode(document: self, pointer: xmlDocGetRootElement(pointer)!)
    }

    /// The document serialised as UTF-8, with an XML declaration.
    public func serialized() -> String {
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpMemoryEnc(pointer, &buffer, &size, "UTF-8")
        guard let buffer else { return "" }
        defer { varco_xml_free(buffer) }
        return String(decoding: UnsafeBufferPointer(start: buffer, count: Int(size)), as: UTF8.self)
    }

    /// The root element serialised without an XML declaration.
    public func serializedRoot() -> String { root.serialized() }
}
