import CXMLSecShim

/// Signatures over raw bytes, as the SAML HTTP-Redirect binding uses them (SAML bindings §3.4.4.1):
/// the signed octets are `SAMLRequest=...&RelayState=...&SigAlg=...` exactly as received.
public enum RawSignature {
    public enum Algorithm: String, Sendable, CaseIterable {
        case rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        case rsaSHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
        case ecdsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
        case rsaSHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"

        var digest: String {
            switch self {
            case .rsaSHA256, .ecdsaSHA256: "SHA256"
            case .rsaSHA512: "SHA512"
            case .rsaSHA1: "SHA1"
            }
        }
    }

    public static func verify(_ signature: [UInt8], over data: [UInt8], algorithm: Algorithm,
                              keys: [XMLVerificationKey]) -> Bool {
        keys.contains { key in
            varco_evp_verify(key.handle.pointer, algorithm.digest, data, data.count, signature, signature.count) == 1
        }
    }

    public static func sign(_ data: [UInt8], algorithm: Algorithm = .rsaSHA256, key: XMLSigningKey) throws(XMLError) -> [UInt8] {
        do {
            return try key.withLentKey { lent in
                var output = [UInt8](repeating: 0, count: 1024)
                let length = varco_evp_sign(lent, algorithm.digest, data, data.count, &output, output.count)
                guard length > 0 else { throw XMLError.signingFailed("OpenSSL could not sign") }
                return Array(output.prefix(Int(length)))
            }
        } catch {
            throw .signingFailed("OpenSSL could not sign")
        }
    }
}
