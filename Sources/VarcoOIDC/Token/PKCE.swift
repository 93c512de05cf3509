import Crypto
import Foundation
import VarcoCore

/// RFC 7636 §4.6: S256 verification of a code_verifier against the stored challenge.
enum PKCE {
    static func verify(verifier: String?, challenge: String?) throws(OAuthError) {
        guard let challenge else {
            if verifier != nil { throw .invalidGrant("code_verifier sent for a code issued without code_challenge") }
            return
        }
        guard let verifier else { throw .invalidGrant("code_verifier missing") }
        // §4.1: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~].
        guard (43...128).contains(verifier.utf8.count), verifier.utf8.allSatisfy({
            $0 == 45 || $0 == 46 || $0 == 95 || $0 == 126 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0)
        }) else { throw .invalidGrant("malformed code_verifier") }
        let computed = Base64URL.encode(Array(SHA256.hash(data: Data(verifier.utf8))))
        guard ConstantTime.equal(computed, challenge) else { throw .invalidGrant("code_verifier does not match code_challenge") }
    }
}
