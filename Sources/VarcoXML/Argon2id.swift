import CXMLSec

/// Argon2id password hashing (RFC 9106) through libargon2, producing and checking the standard
/// encoded form `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`.
///
/// The encoded string carries its own parameters and salt, so hashes made with older parameters
/// keep verifying after the defaults change.
public enum Argon2id {
    /// Cost parameters for new hashes.
    public struct Parameters: Sendable, Equatable, Hashable {
        /// Memory in KiB (at least 8 × `parallelism`).
        public var memoryKiB: UInt32
        /// Number of passes over memory.
        public var iterations: UInt32
        /// Number of lanes.
        public var parallelism: UInt32
        /// Length of the raw hash in bytes.
        public var hashLength: Int

        public init(memoryKiB: UInt32, iterations: UInt32, parallelism: UInt32, hashLength: Int = 32) {
            self.memoryKiB = memoryKiB
            self.iterations = iterations
            self.parallelism = parallelism
            self.hashLength = hashLength
        }

        /// The OWASP minimum for Argon2id: 19 MiB, 2 passes, 1 lane, 32-byte hash.
        public static let `default` = Parameters(memoryKiB: 19_456, iterations: 2, parallelism: 1)

        /// Cheap parameters for tests only: never use them for stored credentials.
        public static let fastForTests = Parameters(memoryKiB: 64, iterations: 1, parallelism: 1)
    }

    /// Why hashing failed: libargon2's error code and message (bad parameters, salt too short,
    /// memory allocation failure).
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public let code: Int32
        public let message: String

        public var description: String { "Argon2id failed (\(code)): \(message)" }
    }

    /// Hashes `password` (its UTF-8 bytes) with `salt` and returns the encoded string.
    ///
    /// - Parameters:
    ///   - salt: random bytes from the caller, at least 8 (16 recommended).
    /// - Throws: `Argon2id.Failure` if libargon2 refuses the inputs or parameters.
    public static func hash(_ password: String, salt: [UInt8], parameters: Parameters = .default) throws -> String {
        guard parameters.hashLength > 0, let hashLength = UInt32(exactly: parameters.hashLength),
              let saltLength = UInt32(exactly: salt.count) else {
            throw Failure(code: Int32(ARGON2_INCORRECT_PARAMETER.rawValue), message: "parameters out of range")
        }
        let encodedLength = argon2_encodedlen(parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                                              saltLength, hashLength, Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let password = Array(password.utf8)
        let status = password.withUnsafeBytes { passwordBytes in
            salt.withUnsafeBytes { saltBytes in
                encoded.withUnsafeMutableBufferPointer { output in
                    argon2id_hash_encoded(parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                                          passwordBytes.baseAddress, passwordBytes.count,
                                          saltBytes.baseAddress, saltBytes.count,
                                          parameters.hashLength, output.baseAddress, output.count)
                }
            }
        }
        guard status == ARGON2_OK.rawValue else {
            throw Failure(code: status, message: errorMessage(status))
        }
        let bytes = encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `password` matches `encoded`. Returns false for a wrong password and for an encoded
    /// string that is malformed or not Argon2id. libargon2 compares the hashes in constant time.
    public static func verify(_ password: String, encoded: String) -> Bool {
        // A NUL inside the encoded string would silently truncate it on the C side.
        guard encoded.hasPrefix("$argon2id$"), !encoded.utf8.contains(0) else { return false }
        let password = Array(password.utf8)
        let status = encoded.withCString { encodedPointer in
            password.withUnsafeBytes { passwordBytes in
                argon2id_verify(encodedPointer, passwordBytes.baseAddress, passwordBytes.count)
            }
        }
        return status == ARGON2_OK.rawValue
    }

    private static func errorMessage(_ code: Int32) -> String {
        guard let message = argon2_error_message(code) else { return "unknown error" }
        return String(cString: message)
    }
}
