import Hummingbird
import NIOCore

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

    /// What the handshake found on this connection.
    func cardEvidence() async -> CardEvidence {
        guard let verdict = try? await channel.pipeline.handler(type: CardHandshakeVerdict.self).get() else { return .none }
        return verdict.current
    }
}
