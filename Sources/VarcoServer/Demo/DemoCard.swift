import Foundation
import VarcoSmartCard

/// The demo's card PKI, generated on the first demo start into the data directory (never committed):
/// `demo-card/trust/cns/demo-ca.pem` (the trusted issuer) and `demo-card/card.{crt,key}.pem`, a CNS-profile
/// authentication certificate of the demo citizen for `curl --cert ... --key ...`.
public enum DemoCard {
    public static let commonName = "RSSMRA80A01H501U/6120016461039008.i1ZpZfaCX/eKyikBfnF8to+M2T8="

    /// Creates the files if missing; returns the trust directory.
    public static func prepare(dataDirectory: String, now: Date = Date()) throws -> String {
        let base = URL(fileURLWithPath: dataDirectory).appendingPathComponent("demo-card")
        let trust = base.appendingPathComponent("trust")
        let caFile = trust.appendingPathComponent("cns/demo-ca.pem")
        let certificateFile = base.appendingPathComponent("card.crt.pem")
        let keyFile = base.appendingPathComponent("card.key.pem")
        if FileManager.default.fileExists(atPath: caFile.path), FileManager.default.fileExists(atPath: keyFile.path) {
            return trust.path
        }
        try FileManager.default.createDirectory(at: trust.appendingPathComponent("cns"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: trust.appendingPathComponent("cie"), withIntermediateDirectories: true)
        let issuer = try DemoCardIssuer(now: now)
        let card = try issuer.issue(.init(commonName: commonName, givenName: "MARIO", surname: "ROSSI",
                                          notValidBefore: now.addingTimeInterval(-86_400),
                                          notValidAfter: now.addingTimeInterval(6 * 365 * 86_400)))
        try DemoCardIssuer.pem(issuer.ca).write(to: caFile, atomically: true, encoding: .utf8)
        try DemoCardIssuer.pem(card.certificate).write(to: certificateFile, atomically: true, encoding: .utf8)
        try (card.key.pemRepresentation + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
        return trust.path
    }
}
