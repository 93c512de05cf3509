import Foundation
import VarcoSmartCard
import X509

/// The client certificate forwarded by a TLS-terminating reverse proxy, in either form:
/// - nginx `$ssl_client_escaped_cert`: the PEM, percent-encoded (empty when the client sent none);
/// - RFC 9440 `Client-Cert`: a structured-field byte sequence, `:<base64 DER>:`.
enum ProxyCertificateHeader {
    static let maxLength = 64 * 1024

    /// Nil for an empty header (no certificate); throws for anything that is not a certificate.
    static func certificates(_ value: String) throws(CardRefusal) -> [Certificate]? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "(null)" { return nil }
        guard trimmed.utf8.count <= maxLength else { throw CardRefusal(.malformedCertificate, "proxy header longer than \(maxLength) bytes") }
        do {
            if trimmed.hasPrefix(":"), trimmed.hasSuffix(":"), trimmed.count > 2 {
                guard let der = Data(base64Encoded: String(trimmed.dropFirst().dropLast())) else {
                    throw CardRefusal(.malformedCertificate, "Client-Cert is not base64")
                }
                return [try Certificate(derEncoded: Array(der))]
            }
            guard let pem = trimmed.removingPercentEncoding, pem.contains("-----BEGIN CERTIFICATE-----") else {
                throw CardRefusal(.malformedCertificate, "proxy header is neither a percent-encoded PEM nor an RFC 9440 byte sequence")
            }
            let certificates = try PEMBundle.certificates(pem)
            return certificates.isEmpty ? nil : certificates
        } catch let refusal as CardRefusal {
            throw refusal
        } catch {
            throw CardRefusal(.malformedCertificate, "proxy header certificate does not decode: \(error)")
        }
    }
}
