import Logging
import NIOCore
import NIOSSL
import Synchronization
import VarcoSmartCard
import X509

/// What the TLS handshake of one card connection found: nothing (no certificate), a validated card, or a refusal.
enum CardEvidence: Sendable {
    case none
    case validated(ValidatedCard)
    /// Certificates that still need every check (from a reverse proxy, or a resumed TLS session).
    case presented([Certificate])
    case refused(CardRefusal, leaf: Certificate?)
}

/// Holds the handshake's verdict for the connection's requests. Sits in the channel pipeline so that a route
/// can find it from the request context's channel.
final class CardHandshakeVerdict: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let evidence = Mutex<CardEvidence>(.none)

    var current: CardEvidence { evidence.withLock { $0 } }

    /// The verification callback for `NIOSSLServerHandler`: runs the chain validation (swift-certificates
    /// `Verifier`) while the handshake waits, records the outcome, and lets the handshake complete in every case,
    /// so that a refused card gets a page that says why instead of a bare TLS alert.
    /// The refusal is logged here too: the TLS library may still end the handshake afterwards (a key without
    /// digitalSignature), and then no route runs to audit it.
    func callback(inspector: CardInspector, logger: Logger) -> NIOSSLCustomVerificationCallbackWithMetadata {
        { [self] certificates, promise in
            promise.completeWithTask {
                let presented: [Certificate]
                do {
                    presented = try certificates.map { try Certificate(derEncoded: try $0.toDERBytes()) }
                } catch {
                    self.evidence.withLock { $0 = .refused(CardRefusal(.malformedCertificate, "\(error)"), leaf: nil) }
                    return .certificateVerified(VerificationMetadata(nil))
                }
                switch await inspector.validateChain(presented) {
                case .success(let card):
                    self.evidence.withLock { $0 = .validated(card) }
                    let chain = try card.chain.map { try NIOSSLCertificate(bytes: try $0.derBytes(), format: .der) }
                    return .certificateVerified(VerificationMetadata(ValidatedCertificateChain(chain)))
                case .failure(let refusal):
                    self.evidence.withLock { $0 = .refused(refusal, leaf: presented.first) }
                    logger.notice("card refused in the TLS handshake", metadata: [
                        "reason": "\(refusal.reason.rawValue)", "detail": "\(refusal.detail)",
                        "certificate": "\(presented.first?.auditName ?? "-")"])
                    return .certificateVerified(VerificationMetadata(nil))
                }
            }
        }
    }
}
