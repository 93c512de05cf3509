/// The network side of revocation checking, implemented by the server (this module does no I/O).
public protocol RevocationFetcher: Sendable {
    /// POSTs a DER OCSP request (`application/ocsp-request`, RFC 6960 Appendix A) and returns the response body.
    func ocsp(_ request: [UInt8], to uri: String) async throws -> [UInt8]
    /// GETs a DER CRL from a distribution point.
    func crl(from uri: String) async throws -> [UInt8]
}
