import SwiftASN1
import X509

/// Certificates from PEM text holding one or more `CERTIFICATE` blocks.
public enum PEMBundle {
    public static func certificates(_ text: String) throws -> [Certificate] {
        let documents = try PEMDocument.parseMultiple(pemString: text)
        return try documents.filter { $0.discriminator == "CERTIFICATE" }.map { try Certificate(pemDocument: $0) }
    }
}
