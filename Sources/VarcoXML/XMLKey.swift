import CXMLSec
import CXMLSecShim
import Foundation
import Synchronization

/// An xmlsec key handle, owned.
final class XMLSecKeyHandle: @unchecked Sendable {
    let pointer: xmlSecKeyPtr
    init(_ pointer: xmlSecKeyPtr) { self.pointer = pointer }
    deinit { xmlSecKeyDestroy(pointer) }

    func duplicate() -> XMLSecKeyHandle? {
        xmlSecKeyDuplicate(pointer).map(XMLSecKeyHandle.init)
    }

    static func load(_ bytes: [UInt8], format: xmlSecKeyDataFormat) -> XMLSecKeyHandle? {
        bytes.withUnsafeBufferPointer { buffer in
            xmlSecOpenSSLAppKeyLoadMemory(buffer.baseAddress, UInt32(buffer.count), format, nil, nil, nil)
        }.map(XMLSecKeyHandle.init)
    }
}

/// A private key with its certificate, used to sign. Lends per-use copies from a small pool so that
/// concurrent signatures never share an xmlsec key object.
public final class XMLSigningKey: Sendable {
    /// The certificate, DER, base64 without line breaks (as in metadata's ds:X509Certificate).
    public let certificateBase64: String
    private let original: XMLSecKeyHandle
    private let pool: Mutex<[XMLSecKeyHandle]>

    public init(privateKeyPEM: String, certificatePEM: String) throws(XMLError) {
        try XMLSecurity.ensure()
        guard let key = XMLSecKeyHandle.load(Array(privateKeyPEM.utf8), format: xmlSecKeyDataFormatPem) else {
            throw .badKey("the private key is not a PEM RSA or EC key")
        }
        let loaded = Array(certificatePEM.utf8).withUnsafeBufferPointer { buffer in
            xmlSecOpenSSLAppKeyCertLoadMemory(key.pointer, buffer.baseAddress, UInt32(buffer.count), xmlSecKeyDataFormatPem)
        }
        guard loaded == 0 else { throw .badKey("the certificate is not a PEM X.509 certificate") }
        guard let der = PEM.derBase64(certificatePEM) else { throw .badKey("the certificate is not PEM") }
        original = key
        certificateBase64 = der
        pool = Mutex([])
    }

    func withLentKey<T>(_ body: (xmlSecKeyPtr) throws -> T) throws -> T {
        let lent = pool.withLock { $0.popLast() } ?? original.duplicate()
        guard let lent else { throw XMLError.signingFailed("could not copy the signing key") }
        defer { pool.withLock { if $0.count < 16 { $0.append(lent) } } }
        return try body(lent.pointer)
    }
}

/// A trusted public key, from a certificate published in a service's metadata. Never from the message.
public final class XMLVerificationKey: Sendable {
    public let certificateBase64: String
    let handle: XMLSecKeyHandle

    /// - Parameter certificate: PEM, or the base64 DER found in ds:X509Certificate.
    public init(certificate: String) throws(XMLError) {
        try XMLSecurity.ensure()
        let base64 = PEM.derBase64(certificate) ?? certificate.filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: base64), !der.isEmpty,
              let key = XMLSecKeyHandle.load(Array(der), format: xmlSecKeyDataFormatCertDer) else {
            throw .badKey("not an X.509 certificate")
        }
        handle = key
        certificateBase64 = base64
    }
}

enum PEM {
    /// The base64 body of the first PEM block, without line breaks.
    static func derBase64(_ pem: String) -> String? {
        let lines = pem.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") }),
              let end = lines[begin...].firstIndex(where: { $0.hasPrefix("-----END ") }) else { return nil }
        return lines[(begin + 1)..<end].joined()
    }
}
