import Logging
import ServiceLifecycle

/// Fetches the SPID/CIE provider metadata again on a schedule; a failed refresh keeps the last good copy.
struct UpstreamMetadataRefresher: Service {
    let upstream: UpstreamLoginService
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: upstream.settings.refreshInterval)
                for problem in await upstream.refreshMetadata() {
                    logger.error("SPID/CIE provider metadata refresh failed: \(problem)")
                }
            }
        }
    }
}
