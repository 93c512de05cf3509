import X509

/// The trusted issuers of one card family: self-signed roots are trust anchors, the others are
/// intermediates offered to chain building (a card may present only its own certificate).
public struct TrustedIssuers: Sendable {
    public let family: CardFamily
    public let roots: [Certificate]
    public let intermediates: [Certificate]

    public init(family: CardFamily, certificates: [Certificate]) {
        self.family = family
        roots = certificates.filter(\.isSelfIssued)
        intermediates = certificates.filter { !$0.isSelfIssued }
    }

    public var all: [Certificate] { roots + intermediates }
}

extension Certificate {
    /// Subject equals issuer (a root or a self-issued CA).
    var isSelfIssued: Bool { subject == issuer }
}
