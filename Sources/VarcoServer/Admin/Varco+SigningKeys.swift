import Crypto
import Foundation
import VarcoOIDC
import VarcoXML

extension Varco {
    /// The signing keys in use and published, for the console and the API.
    func signingKeyViews() -> [SigningKeyView] { keyRing.current.views }

    /// SHA-256 of a base64 DER certificate, as colon-separated hex.
    static func fingerprint(_ base64: String) -> String {
        guard let der = Data(base64Encoded: base64) else { return "?" }
        return SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }
}

extension SigningKeyView {
    /// The keys of a data directory: the active SAML and OIDC keys, then those published beside them during a rollover
    /// (`next` before they sign, `previous` after), each with the date its file was written (when it entered that state).
    static func all(in data: DataDirectory, activeSAML: String, publishedSAML: [(state: String, base64: String)],
                    oidc: SigningKeys) -> [SigningKeyView] {
        func since(_ name: String) -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: data.file(name)))?[.modificationDate] as? Date
        }
        func saml(_ base64: String, _ state: String, _ file: String) -> SigningKeyView {
            SigningKeyView(use: "saml", id: Varco.fingerprint(base64), algorithm: "RSA-SHA256", state: state, since: since(file),
                           not_after: (try? CertificateSummary(certificate: base64))?.notAfter)
        }
        var views = [saml(activeSAML, "active", "saml-signing.crt.pem")]
        views += publishedSAML.map { saml($0.base64, $0.state, "saml-signing-\($0.state).crt.pem") }
        views.append(SigningKeyView(use: "oidc", id: oidc.rsaKeyID, algorithm: "RS256", state: "active", since: since("oidc-rs256.key.pem")))
        views.append(SigningKeyView(use: "oidc", id: oidc.ecKeyID, algorithm: "ES256", state: "active", since: since("oidc-es256.key.pem")))
        for state in ["next", "previous"] {
            for (algorithm, name) in [("RS256", "rs256"), ("ES256", "es256")] {
                let file = "oidc-published-\(state)-\(name).pem"
                guard let pem = try? String(contentsOfFile: data.file(file), encoding: .utf8),
                      let id = SigningKeys.keyID(ofPublicKeyPEM: pem) else { continue }
                views.append(SigningKeyView(use: "oidc", id: id, algorithm: algorithm, state: state, since: since(file)))
            }
        }
        return views
    }
}
