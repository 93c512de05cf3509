import Foundation
import Hummingbird
import VarcoCore

/// `GET /healthz` (the process answers) and `GET /readyz` (the store answers too), for load balancers and orchestrators;
/// `GET /metrics` (Prometheus text) for a configured address, the metrics token, or an admin or auditor API token.
struct OperationsRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/metrics") { request, context -> Response in
            guard try await mayReadMetrics(request, context) else {
                return Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "metrics: use an allowed address or send Authorization: Bearer with the metrics token\n")))
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: varco.metrics.render())))
        }
        router.get("/readyz") { _, _ -> Response in
            do {
                _ = try await varco.stores.audit.recent(limit: 1)
                return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            } catch {
                varco.logger.error("not ready: the store does not answer", metadata: ["error": "\(error)"])
                return Response(status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "store unavailable\n")))
            }
        }
    }

    private func mayReadMetrics(_ request: Request, _ context: VarcoRequestContext) async throws -> Bool {
        let settings = varco.configuration.admin
        if let address = context.clientAddress, settings.metricsAddresses.contains(address) { return true }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        let secret = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        if let token = settings.metricsToken, ConstantTime.equal(secret, token) { return true }
        let access = AccessAdmin(stores: varco.stores, clock: varco.clock, random: varco.random, actor: .commandLine)
        return try await access.token(forSecret: secret)?.role.canRead ?? false
    }
}
