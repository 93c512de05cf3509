import Crypto
import Foundation
import SwiftASN1
import VarcoSmartCard
import X509

/// A card PKI built in code, on a fixed date.
struct TestPKI {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let day: TimeInterval = 86_400
    static let cnsCN = "RSSMRA80A01H501U/6120016461039008.i1ZpZfaCX/eKyikBfnF8to+M2T8="

    let cns: DemoCardIssuer
    let cieRoot: DemoCardIssuer
    let cieSub: DemoCardIssuer

    init() throws {
        cns = try DemoCardIssuer(commonName: "Regione Test - CA Cittadini", now: Self.now)
        cieRoot = try DemoCardIssuer(commonName: "CIE root TEST", now: Self.now)
        cieSub = try DemoCardIssuer(commonName: "CIE SUBCA TEST", parent: cieRoot, now: Self.now)
    }

    func profile(_ commonName: String = cnsCN, change: (inout DemoCardIssuer.CardProfile) -> Void = { _ in }) -> DemoCardIssuer.CardProfile {
        var profile = DemoCardIssuer.CardProfile(commonName: commonName, givenName: "MARIO", surname: "ROSSI",
                                                 notValidBefore: Self.now - Self.day, notValidAfter: Self.now + 365 * Self.day)
        change(&profile)
        return profile
    }

    /// Trusted: the CNS root; the CIE root (its sub-CA must be presented by the card or published beside it).
    func issuers(publishingCIESubCA: Bool = false) -> [TrustedIssuers] {
        [TrustedIssuers(family: .cns, certificates: [cns.ca]),
         TrustedIssuers(family: .cie, certificates: [cieRoot.ca] + (publishingCIESubCA ? [cieSub.ca] : []))]
    }

    func validator(publishingCIESubCA: Bool = false) -> CardChainValidator {
        let issuers = issuers(publishingCIESubCA: publishingCIESubCA)
        return CardChainValidator(trust: { issuers }, policies: [.cns: .cnsDefault, .cie: .cieDefault])
    }

    /// A DER CRL signed by `issuer` listing `revoked`.
    static func crl(by issuer: DemoCardIssuer, revoked: [Certificate.SerialNumber], thisUpdate: Date, nextUpdate: Date) throws -> [UInt8] {
        let algorithm: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { body in
            try body.serialize(1)  // v2
            try body.appendConstructedNode(identifier: .sequence) { try $0.serialize(algorithm) }
            try body.serialize(issuer.ca.subject)
            try body.serialize(GeneralizedTime(thisUpdate))
            try body.serialize(GeneralizedTime(nextUpdate))
            if !revoked.isEmpty {
                try body.appendConstructedNode(identifier: .sequence) { list in
                    for serial in revoked {
                        try list.appendConstructedNode(identifier: .sequence) { entry in
                            try entry.serialize(serial.bytes)
                            try entry.serialize(GeneralizedTime(thisUpdate))
                        }
                    }
                }
            }
        }
        let tbsBytes = tbs.serializedBytes
        let signature = try issuer.caKey.signature(for: tbsBytes).derRepresentation
        var crl = DER.Serializer()
        try crl.appendConstructedNode(identifier: .sequence) { top in
            top.serializeRawBytes(tbsBytes)
            try top.appendConstructedNode(identifier: .sequence) { try $0.serialize(algorithm) }
            try top.serialize(ASN1BitString(bytes: ArraySlice(signature)))
        }
        return crl.serializedBytes
    }
}

extension GeneralizedTime {
    init(_ date: Date) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        try self.init(year: c.year!, month: c.month!, day: c.day!, hours: c.hour!, minutes: c.minute!, seconds: c.second!, fractionalSeconds: 0)
    }
}
