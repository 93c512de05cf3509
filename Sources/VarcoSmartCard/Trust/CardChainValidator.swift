import Foundation
@_spi(FixedExpiryValidationTime) import X509

/// A card certificate whose chain reached a trusted issuer of `family`, leaf first, trust anchor last.
public struct ValidatedCard: Sendable {
    public let family: CardFamily
    public let chain: [Certificate]

    public init(family: CardFamily, chain: [Certificate]) {
        self.family = family
        self.chain = chain
    }

    public var leaf: Certificate { chain[0] }
    /// The certificate that signed the leaf (the leaf itself only for a self-signed leaf, which never validates).
    public var issuer: Certificate { chain.count > 1 ? chain[1] : chain[0] }
}

/// Builds and checks the chain of a presented card certificate with swift-certificates' `Verifier`: the leaf's
/// validity and profile first (each with its own reason), then RFC 5280 chain building toward each family's roots.
public struct CardChainValidator: Sendable {
    public let trust: @Sendable () throws -> [TrustedIssuers]
    public let policies: [CardFamily: CardFamilyPolicy]

    public init(trust: @escaping @Sendable () throws -> [TrustedIssuers], policies: [CardFamily: CardFamilyPolicy]) {
        self.trust = trust
        self.policies = policies
    }

    /// `presented`: the leaf first, then whatever else the client sent.
    public func validate(presented: [Certificate], now: Date) async throws(CardRefusal) -> ValidatedCard {
        guard let leaf = presented.first else { throw CardRefusal(.noCertificate, "no client certificate") }
        try CardProfile.checkValidity(leaf, now: now)
        try CardProfile.checkUsage(leaf)
        let families: [TrustedIssuers]
        do { families = try trust() } catch {
            throw CardRefusal(.unknownIssuer, "trusted issuers unavailable: \(error)")
        }
        var failures: [String] = []
        for issuers in families where !issuers.roots.isEmpty {
            guard let policy = policies[issuers.family] else { continue }
            var verifier = Verifier(rootCertificates: CertificateStore(issuers.roots)) {
                RFC5280Policy(fixedExpiryValidationTime: now)
                CardLeafPolicy()
            }
            let intermediates = CertificateStore(Array(presented.dropFirst()) + issuers.intermediates)
            switch await verifier.validate(leaf: leaf, intermediates: intermediates) {
            case .validCertificate(let chain):
                try CardProfile.checkPolicy(leaf, policy: policy)
                return ValidatedCard(family: issuers.family, chain: Array(chain))
            case .couldNotValidate(let policyFailures):
                failures += policyFailures.map { "\(issuers.family.label): \($0.policyFailureReason)" }
            }
        }
        if !failures.isEmpty { throw CardRefusal(.invalidChain, failures.joined(separator: "; ")) }
        throw Self.unchainable(leaf, presented: presented)
    }

    /// No chain at all: either the presented chain ends at an untrusted root, or an issuer is missing.
    static func unchainable(_ leaf: Certificate, presented: [Certificate]) -> CardRefusal {
        var tip = leaf
        var seen = 0
        while !tip.isSelfIssued, seen < presented.count, let next = presented.first(where: { $0.subject == tip.issuer && $0 != tip }) {
            tip = next
            seen += 1
        }
        if tip.isSelfIssued {
            return CardRefusal(.unknownIssuer, "issuer \(tip.subject) is not a trusted card issuer")
        }
        return CardRefusal(.missingIntermediate, "issuer \(tip.issuer) of \(tip.subject) is neither trusted nor presented")
    }
}
