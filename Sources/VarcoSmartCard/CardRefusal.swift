/// Why a card was refused. Each reason has its own message for the citizen (`card_error_<code>` in the
/// page translations) and is written, with `detail`, to the audit log.
public struct CardRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        /// The browser presented no certificate.
        case noCertificate
        /// The certificate could not be decoded.
        case malformedCertificate
        case expired
        case notYetValid
        /// The chain ends at a self-signed certificate that is not among the trusted issuers.
        case unknownIssuer
        /// The issuer of a certificate is neither trusted nor presented: an intermediate is missing.
        case missingIntermediate
        /// A chain was built but a CA in it breaks RFC 5280 (expired CA, bad signature, constraints).
        case invalidChain
        /// keyUsage lacks digitalSignature (or is absent).
        case wrongKeyUsage
        /// extendedKeyUsage lacks clientAuth.
        case wrongExtendedKeyUsage
        /// A signature certificate (nonRepudiation): never for login.
        case signatureCertificate
        /// None of the family's certificate policy OIDs.
        case wrongPolicy
        case revoked
        /// The responder does not know the certificate.
        case revocationUnknown
        /// Revocation status could not be obtained and the family is hard-fail.
        case revocationUnavailable
        /// The subject does not follow the family's format.
        case malformedSubject
        /// The codice fiscale in the subject fails its check.
        case invalidCodiceFiscale
        /// The card id in a CNS subject fails its Luhn check.
        case invalidCardID
        /// A proxy header arrived from an address that is not a configured proxy.
        case untrustedProxyHeader
    }

    public let reason: Reason
    /// For administrators: what exactly failed (never shown to the citizen).
    public let detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
