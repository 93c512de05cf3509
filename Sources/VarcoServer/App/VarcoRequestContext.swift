import Hummingbird
import NIOCore

/// Per-request context: Hummingbird's core storage plus the client's address for the audit log.
public struct VarcoRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }
}
