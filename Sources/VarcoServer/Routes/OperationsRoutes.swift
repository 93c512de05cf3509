import Foundation
import Hummingbird
import VarcoCore

/// `GET /healthz` (the process answers) and `GET /readyz` (the store answers too), for load balancers and orchestrators.
struct OperationsRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
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
}
