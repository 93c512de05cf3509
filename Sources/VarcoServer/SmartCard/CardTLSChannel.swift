import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import Synchronization
import VarcoSmartCard

/// The card listener's child channel: TLS that asks for an optional client certificate (the trusted card issuers
/// sent as the CA list), with the card chain checked in the handshake's verification callback, then HTTP/1.1.
struct CardTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    typealias Value = BaseChannel.Value
    let base: BaseChannel
    let contexts: CardTLSContexts
    let inspector: CardInspector

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let verdict = CardHandshakeVerdict()
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLServerHandler(context: try contexts.current(), configuration: .init(),
                                    customVerificationCallbackWithMetadata: verdict.callback(inspector: inspector, logger: logger)))
            try channel.pipeline.syncOperations.addHandler(verdict)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: BaseChannel.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension CardTLSChannel: HTTPChannelHandler where BaseChannel: HTTPChannelHandler {
    var responder: HTTPChannelHandler.Responder { base.responder }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 over the card listener's TLS.
    static func cardTLS(contexts: CardTLSContexts, inspector: CardInspector) -> HTTPServerBuilder {
        .init { responder in
            CardTLSChannel(base: HTTP1Channel(responder: responder), contexts: contexts, inspector: inspector)
        }
    }
}

/// The card listener's TLS context, rebuilt when the trusted issuers change so that the CA list sent to
/// browsers follows the trust directory without a restart.
final class CardTLSContexts: Sendable {
    let base: TLSConfiguration
    let trust: TrustDirectory
    private let cached = Mutex<(issuers: [String], context: NIOSSLContext)?>(nil)

    init(base: TLSConfiguration, trust: TrustDirectory) {
        self.base = base
        self.trust = trust
    }

    func current() throws -> NIOSSLContext {
        let roots = try trust.current().flatMap(\.roots)
        let names = roots.map { "\($0.subject)|\($0.serialNumber)" }
        if let hit = cached.withLock({ $0?.issuers == names ? $0?.context : nil }) { return hit }
        var configuration = base
        configuration.certificateVerification = .optionalVerification
        configuration.trustRoots = .certificates(try roots.map { try NIOSSLCertificate(bytes: $0.derBytes(), format: .der) })
        configuration.sendCANameList = true
        let context = try NIOSSLContext(configuration: configuration)
        cached.withLock { $0 = (names, context) }
        return context
    }
}
