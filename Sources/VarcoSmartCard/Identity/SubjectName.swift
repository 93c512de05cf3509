import SwiftASN1
import X509

/// The subject attributes the card identity is read from.
struct SubjectName {
    static let givenNameOID: ASN1ObjectIdentifier = [2, 5, 4, 42]
    static let surnameOID: ASN1ObjectIdentifier = [2, 5, 4, 4]
    static let serialNumberOID: ASN1ObjectIdentifier = [2, 5, 4, 5]

    let name: DistinguishedName

    /// The values of one attribute type, in order; nil for values that are not strings.
    func values(_ type: ASN1ObjectIdentifier) -> [String?] {
        name.flatMap { $0 }.filter { $0.type == type }.map { String($0.value) }
    }

    /// The single string value of `type`: nil when absent, repeated or not a string.
    func single(_ type: ASN1ObjectIdentifier) -> String? {
        let found = values(type)
        guard found.count == 1 else { return nil }
        return found[0]
    }

    var commonNames: [String?] { values(.RDNAttributeType.commonName) }
    var givenName: String? { single(Self.givenNameOID) }
    var surname: String? { single(Self.surnameOID) }
}
