import Logging
import ServiceLifecycle

/// Fetches the SPID/CIE provider metadata again on a schedule; a failed refresh keeps the last good copy.
struct UpstreamMetadataRefresher: Service {
    let upstream: UpstreamLoginService
    let logger: Logger

    /// The first load happens at start, before the server listens.
    func run() async throws {
        try await Periodic.run(every: upstream.settings.refreshInterval, startingNow: false) {
            for problem in await upstream.refreshMetadata() {
                logger.error("SPID/CIE provider metadata refresh failed: \(problem)")
            }
        }
    }
}
