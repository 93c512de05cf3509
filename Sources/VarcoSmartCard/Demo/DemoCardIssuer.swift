import Crypto
import Foundation
import SwiftASN1
import X509

/// Issues a demo card PKI (a self-signed "CA Cittadini" and card authentication certificates following the CNS
/// profile) for the demo and for tests. Never for production: keys are P-256 and generated in memory.
public struct DemoCardIssuer {
    public let caKey: P256.Signing.PrivateKey
    public let ca: Certificate

    /// A self-signed root, or (with `parent`) an intermediate CA issued by `parent`.
    public init(commonName: String = "Regione Demo - CA Cittadini", parent: DemoCardIssuer? = nil, now: Date) throws {
        let key = P256.Signing.PrivateKey()
        caKey = key
        let name = try DistinguishedName {
            CountryName("IT")
            OrganizationName("Varco demo")
            OrganizationalUnitName("Servizi di Certificazione")
            CommonName(commonName)
        }
        ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: parent?.ca.subject ?? name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: parent == nil ? 1 : 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(parent?.caKey ?? key))
    }

    /// What a card certificate says; the defaults follow the CNS authentication profile.
    public struct CardProfile {
        public var commonName: String
        public var givenName: String?
        public var surname: String?
        public var policyOIDs: [ASN1ObjectIdentifier] = [[1, 3, 76, 16, 2, 1]]
        public var keyUsage = KeyUsage(digitalSignature: true, keyEncipherment: true)
        public var clientAuth = true
        public var notValidBefore: Date
        public var notValidAfter: Date
        public var ocspURI: String?
        public var crlURI: String?

        public init(commonName: String, givenName: String?, surname: String?, notValidBefore: Date, notValidAfter: Date) {
            self.commonName = commonName
            self.givenName = givenName
            self.surname = surname
            self.notValidBefore = notValidBefore
            self.notValidAfter = notValidAfter
        }
    }

    public func issue(_ profile: CardProfile, serial: Certificate.SerialNumber = .init()) throws -> (certificate: Certificate, key: P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        var attributes: [RelativeDistinguishedName] = [
            RelativeDistinguishedName(try .init(type: .RDNAttributeType.countryName, printableString: "IT")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: "Varco demo")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationalUnitName, utf8String: "REGIONE DEMO")),
            RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: profile.commonName)),
        ]
        if let givenName = profile.givenName {
            attributes.append(RelativeDistinguishedName(.init(type: [2, 5, 4, 42], utf8String: givenName)))
        }
        if let surname = profile.surname {
            attributes.append(RelativeDistinguishedName(.init(type: [2, 5, 4, 4], utf8String: surname)))
        }
        var extensions = try Certificate.Extensions {
            Critical(profile.keyUsage)
            try ExtendedKeyUsage(profile.clientAuth ? [.clientAuth, .emailProtection] : [.emailProtection])
        }
        try extensions.append(try Self.policies(profile.policyOIDs))
        if let ocspURI = profile.ocspURI {
            try extensions.append(Certificate.Extension(AuthorityInformationAccess([.init(method: .ocspServer, location: .uniformResourceIdentifier(ocspURI))]), critical: false))
        }
        if let crlURI = profile.crlURI { try extensions.append(try Self.distributionPoint(crlURI)) }
        let certificate = try Certificate(
            version: .v3, serialNumber: serial, publicKey: .init(key.publicKey),
            notValidBefore: profile.notValidBefore, notValidAfter: profile.notValidAfter,
            issuer: ca.subject, subject: DistinguishedName(attributes), signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: .init(caKey))
        return (certificate, key)
    }

    /// `certificatePolicies ::= SEQUENCE OF SEQUENCE { policyIdentifier }`.
    static func policies(_ oids: [ASN1ObjectIdentifier]) throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { outer in
            for oid in oids {
                try outer.appendConstructedNode(identifier: .sequence) { try $0.serialize(oid) }
            }
        }
        return Certificate.Extension(oid: Certificate.certificatePoliciesOID, critical: false, value: serializer.serializedBytes[...])
    }

    /// `cRLDistributionPoints ::= SEQUENCE OF DistributionPoint { distributionPoint [0] { fullName [0] { [6] URI } } }`.
    static func distributionPoint(_ uri: String) throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { points in
            try points.appendConstructedNode(identifier: .sequence) { point in
                try point.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { name in
                    try name.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { full in
                        full.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 6, tagClass: .contextSpecific)) {
                            $0.append(contentsOf: uri.utf8)
                        }
                    }
                }
            }
        }
        return Certificate.Extension(oid: Certificate.crlDistributionPointsOID, critical: false, value: serializer.serializedBytes[...])
    }

    /// PEM of a certificate.
    public static func pem(_ certificate: Certificate) throws -> String {
        try certificate.serializeAsPEM().pemString + "\n"
    }
}
