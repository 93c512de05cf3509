import CXMLSec
import CXMLSecShim

/// One-time initialisation of libxml2, xmlsec1 and its OpenSSL backend, with external entity
/// loading disabled process-wide.
enum XMLSecurity {
    static let initialised: Bool = varco_xml_init() == 0

    static func ensure() throws(XMLError) {
        guard initialised else { throw .libraryUnavailable }
    }
}
