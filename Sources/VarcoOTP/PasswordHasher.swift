import Foundation
import VarcoCore
import VarcoXML

/// Hashes and checks credential passwords with Argon2id, drawing a fresh 16-byte salt for each hash.
///
/// Passwords are normalised to Unicode NFC first, so that "è" typed as one code point or as
/// "e" + combining accent gives the same hash.
public struct PasswordHasher: Sendable {
    public typealias Parameters = Argon2id.Parameters

    /// Salt length in bytes.
    public static let saltLength = 16

    /// Cost parameters for new hashes; existing hashes verify with the parameters they carry.
    public var parameters: Parameters
    public var random: any RandomSource

    public init(parameters: Parameters = .default, random: any RandomSource = SystemRandomSource()) {
        self.parameters = parameters
        self.random = random
    }

    /// Returns the Argon2id encoded hash of `password` (`$argon2id$v=19$m=...`).
    /// - Throws: `Argon2id.Failure` if the parameters are unusable.
    public func hash(_ password: String) throws -> String {
        try Argon2id.hash(Self.normalized(password), salt: random.bytes(Self.saltLength), parameters: parameters)
    }

    /// Whether `password` matches `encoded`; false for a malformed or non-Argon2id string.
    public func verify(_ password: String, encoded: String) -> Bool {
        Argon2id.verify(Self.normalized(password), encoded: encoded)
    }

    static func normalized(_ password: String) -> String {
        password.precomposedStringWithCanonicalMapping
    }
}
