import CXMLSecShim
import Foundation

/// The facts about an X.509 certificate that decide whether a service may register with it: key type and size,
/// and the end of validity.
public struct CertificateSummary: Sendable, Equatable {
    public enum KeyType: Sendable, Equatable { case rsa, ec, other }

    public let keyType: KeyType
    public let keyBits: Int
    public let notAfter: Date

    /// - Parameter certificate: PEM, or the base64 DER found in ds:X509Certificate.
    public init(certificate: String) throws(XMLError) {
        let base64 = PEM.derBase64(certificate) ?? certificate.filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: base64), !der.isEmpty else { throw .badKey("not an X.509 certificate") }
        var bits: Int32 = 0, type: Int32 = 0, end: Int64 = 0
        let status = der.withUnsafeBytes { buffer in
            varco_certificate_summary(buffer.bindMemory(to: UInt8.self).baseAddress, buffer.count, &bits, &type, &end)
        }
        guard status == 0 else { throw .badKey("not an X.509 certificate") }
        keyBits = Int(bits)
        keyType = type == 1 ? .rsa : (type == 2 ? .ec : .other)
        notAfter = Date(timeIntervalSince1970: TimeInterval(end))
    }

    /// Too weak for SPID and for Varco: RSA under 2048 bits, EC under 256, anything else.
    public var isWeak: Bool {
        switch keyType {
        case .rsa: keyBits < 2048
        case .ec: keyBits < 256
        case .other: true
        }
    }
}
