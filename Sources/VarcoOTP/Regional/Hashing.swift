import Crypto
import Foundation
import VarcoCore

/// Lowercase hex SHA-256, the form in which SMS codes, recovery codes and operator tokens are stored.
public enum SHA256Hex {
    public static func of(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `text` hashes to `expected`, compared in constant time.
    public static func matches(_ text: String, _ expected: String) -> Bool {
        ConstantTime.equal(of(text), expected)
    }
}
