import Foundation
import SwiftASN1
import X509

/// A decoded X.509 CRL (RFC 5280 §5): who issued it, when, until when, and the revoked serial numbers.
///
///     CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
///     TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name, thisUpdate Time,
///                                nextUpdate Time OPTIONAL, revokedCertificates SEQUENCE OF SEQUENCE {
///                                userCertificate CertificateSerialNumber, revocationDate Time, ... } OPTIONAL, ... }
public struct CertificateRevocationList: Sendable {
    public let issuer: DistinguishedName
    public let thisUpdate: Date
    public let nextUpdate: Date?
    /// Serial numbers without leading zero bytes.
    public let revokedSerials: Set<[UInt8]>
    let signedBytes: [UInt8]
    let signatureAlgorithm: Certificate.SignatureAlgorithm?
    let signature: [UInt8]

    public init(derEncoded bytes: [UInt8]) throws {
        let root = try DER.parse(bytes)
        let top = try Self.children(root)
        guard top.count == 3 else { throw ASN1Error.invalidASN1Object(reason: "CertificateList must have 3 fields") }
        signedBytes = Array(top[0].encodedBytes)
        signatureAlgorithm = Self.signatureAlgorithm(try ASN1ObjectIdentifier(derEncoded: try Self.children(top[1])[0]))
        signature = Array(try ASN1BitString(derEncoded: top[2]).bytes)

        var fields = try Self.children(top[0])[...]
        if fields.first?.identifier == .integer { fields = fields.dropFirst() }  // version v2
        guard fields.count >= 3 else { throw ASN1Error.invalidASN1Object(reason: "TBSCertList too short") }
        fields = fields.dropFirst()  // signature AlgorithmIdentifier (must equal the outer one)
        issuer = try DistinguishedName(derEncoded: fields.removeFirst())
        thisUpdate = try Self.time(fields.removeFirst())
        if let next = fields.first, next.identifier == .utcTime || next.identifier == .generalizedTime {
            nextUpdate = try Self.time(next)
            fields = fields.dropFirst()
        } else {
            nextUpdate = nil
        }
        var serials = Set<[UInt8]>()
        if let list = fields.first, list.identifier == .sequence {
            for entry in try Self.children(list) {
                let entryFields = try Self.children(entry)
                guard let serial = entryFields.first else { continue }
                serials.insert(Self.normalized(Array(try ArraySlice<UInt8>(derEncoded: serial))))
            }
        }
        revokedSerials = serials
    }

    /// Whether `issuerCertificate` signed this CRL and it names that issuer.
    public func isSigned(by issuerCertificate: Certificate) -> Bool {
        guard let signatureAlgorithm, issuer == issuerCertificate.subject else { return false }
        return issuerCertificate.publicKey.isValidSignature(signature, for: signedBytes, signatureAlgorithm: signatureAlgorithm)
    }

    public func isRevoked(_ serial: Certificate.SerialNumber) -> Bool {
        revokedSerials.contains(Self.normalized(Array(serial.bytes)))
    }

    static func normalized(_ bytes: [UInt8]) -> [UInt8] {
        let trimmed = Array(bytes.drop { $0 == 0 })
        return trimmed.isEmpty ? [0] : trimmed
    }

    static func children(_ node: ASN1Node) throws -> [ASN1Node] {
        guard case .constructed(let nodes) = node.content else { throw ASN1Error.unexpectedFieldType(node.identifier) }
        return Array(nodes)
    }

    static func signatureAlgorithm(_ oid: ASN1ObjectIdentifier) -> Certificate.SignatureAlgorithm? {
        switch oid.description {
        case "1.2.840.113549.1.1.11": .sha256WithRSAEncryption
        case "1.2.840.113549.1.1.12": .sha384WithRSAEncryption
        case "1.2.840.113549.1.1.13": .sha512WithRSAEncryption
        case "1.2.840.10045.4.3.2": .ecdsaWithSHA256
        case "1.2.840.10045.4.3.3": .ecdsaWithSHA384
        case "1.2.840.10045.4.3.4": .ecdsaWithSHA512
        default: nil  // SHA-1 and anything unknown: the CRL is not trusted
        }
    }

    static func time(_ node: ASN1Node) throws -> Date {
        var components = DateComponents()
        if node.identifier == .utcTime {
            let time = try UTCTime(derEncoded: node)
            (components.year, components.month, components.day) = (time.year, time.month, time.day)
            (components.hour, components.minute, components.second) = (time.hours, time.minutes, time.seconds)
        } else {
            let time = try GeneralizedTime(derEncoded: node)
            (components.year, components.month, components.day) = (time.year, time.month, time.day)
            (components.hour, components.minute, components.second) = (time.hours, time.minutes, time.seconds)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: components) else { throw ASN1Error.invalidASN1Object(reason: "bad time") }
        return date
    }
}
