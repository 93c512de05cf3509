import Hummingbird
import NIOCore
import NIOSSL
import X509

/// Request context of the card listener: the client's address (for the audit log) and the connection, where the
/// TLS handshake left its card verdict.
struct CardRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let clientAddress: String?
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
        channel = source.channel
    }

    /// What the handshake found on this connection. A resumed TLS session skips the verification callback but still
    /// knows the client's certificate: that certificate then goes through every check here.
    func cardEvidence() async -> CardEvidence {
        guard let verdict = try? await channel.pipeline.handler(type: CardHandshakeVerdict.self).get() else { return .none }
        let evidence = verdict.current
        guard case .none = evidence, let peer = try? await channel.nioSSL_peerCertificate().get() else { return evidence }
        guard let certificate = try? Certificate(derEncoded: try peer.toDERBytes()) else { return evidence }
        return .presented([certificate])
    }
}
