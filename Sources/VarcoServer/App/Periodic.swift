import ServiceLifecycle

/// The loop of Varco's background services: `body` every `interval` until the server stops. The stop is not
/// an error: the sleep cancelled at graceful shutdown ends the loop quietly, because a `CancellationError`
/// leaving a service makes the whole service group exit with status 1.
enum Periodic {
    static func run(every interval: Duration, startingNow: Bool = true, _ body: @escaping @Sendable () async -> Void) async throws {
        try await cancelWhenGracefulShutdown {
            if startingNow { await body() }
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                await body()
            }
        }
    }
}
