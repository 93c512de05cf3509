import Foundation
import SwiftASN1
import VarcoCore
import X509

/// A card that passed every check: whose it is, which family, the level it proves, and what the revocation
/// check found.
public struct CardLogin: Sendable {
    public let family: CardFamily
    public let holder: CardHolder
    public let level: LevelOfAssurance
    public let revocation: RevocationOutcome
    public let leaf: Certificate
}

/// The order of the card checks, in one place:
/// 1. chain (`CardChainValidator`: validity, key usage, RFC 5280 chain to a trusted family root, policy OID) —
///    in TLS mode this runs inside the handshake's verification callback;
/// 2. revocation (`RevocationChecker`: OCSP, else CRL; soft/hard-fail per family);
/// 3. identity (`CardIdentity`: subject canonicalisation, codice fiscale, card id).
public struct CardInspector: Sendable {
    public let validator: CardChainValidator
    public let revocation: RevocationChecker
    public let clock: any WallClock

    public init(validator: CardChainValidator, revocation: RevocationChecker, clock: any WallClock) {
        self.validator = validator
        self.revocation = revocation
        self.clock = clock
    }

    /// Step 1 alone (the TLS verification callback).
    public func validateChain(_ presented: [Certificate]) async -> Result<ValidatedCard, CardRefusal> {
        do throws(CardRefusal) {
            return .success(try await validator.validate(presented: presented, now: clock.now()))
        } catch {
            return .failure(error)
        }
    }

    /// Steps 2 and 3 for a chain that passed step 1.
    public func complete(_ card: ValidatedCard) async throws(CardRefusal) -> CardLogin {
        let policy = validator.policies[card.family] ?? (card.family == .cns ? .cnsDefault : .cieDefault)
        let outcome = try await revocation.check(card, failureMode: policy.revocationFailure)
        let holder = try CardIdentity.holder(of: card)
        return CardLogin(family: card.family, holder: holder, level: policy.level, revocation: outcome, leaf: card.leaf)
    }

    /// Every step, for a certificate that arrived from a trusted reverse proxy.
    public func inspect(_ presented: [Certificate]) async throws(CardRefusal) -> CardLogin {
        let card = try await validator.validate(presented: presented, now: clock.now())
        return try await complete(card)
    }
}

extension Certificate {
    /// Issuer and serial, the way the audit log names a card certificate.
    public var auditName: String { "issuer \"\(issuer)\" serial \(serialNumber)" }
}

extension Certificate {
    /// The DER encoding.
    public func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}
