import Crypto
import Foundation
import VarcoOIDC
import VarcoXML

extension Varco {
    /// The signing keys in use and published, for the console and the API.
    func signingKeyViews() -> [SigningKeyView] {
        var views = signingCertificates.enumerated().map { index, certificate in
            SigningKeyView(use: "saml", id: Self.fingerprint(certificate), algorithm: "RSA-SHA256", state: index == 0 ? "active" : "published",
                           not_after: (try? CertificateSummary(certificate: certificate))?.notAfter)
        }
        views.append(SigningKeyView(use: "oidc", id: oidc.keys.rsaKeyID, algorithm: "RS256", state: "active"))
        views.append(SigningKeyView(use: "oidc", id: oidc.keys.ecKeyID, algorithm: "ES256", state: "active"))
        for key in (try? oidc.keys.jwks().keys) ?? [] {
            guard let id = key.kid, id != oidc.keys.rsaKeyID, id != oidc.keys.ecKeyID else { continue }
            views.append(SigningKeyView(use: "oidc", id: id, algorithm: key.alg ?? key.kty, state: "published"))
        }
        return views
    }

    /// SHA-256 of a base64 DER certificate, as colon-separated hex.
    static func fingerprint(_ base64: String) -> String {
        guard let der = Data(base64Encoded: base64) else { return "?" }
        return SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }
}
