import Foundation
import HTTPTypes
import Hummingbird
import Logging
import VarcoCore

/// Times every request into `varco_http_request_duration_seconds` (by path group and status class), gives it an id
/// (`X-Request-ID` on the response), and logs one structured line per request with that id.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = VarcoRequestContext
    let metrics: Metrics
    let logger: Logger
    let random: any RandomSource

    static let groups: Set<String> = ["sso", "login", "oidc", "admin", "metadata", "profilo", "sportello", "api", "demo", "static",
                                      "metrics", "healthz", "readyz", ".well-known", "otp", "logout", "slo"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let id = random.token(byteCount: 12)
        let first = request.uri.path.split(separator: "/").first.map(String.init) ?? ""
        let group = Self.groups.contains(first) ? first : (first.isEmpty ? "home" : "other")
        var status = 500
        defer {
            let seconds = Metrics.seconds(ContinuousClock.now - start)
            metrics.observe("varco_http_request_duration_seconds", [("path", group), ("status", "\(status / 100)xx")], seconds: seconds)
            logger.info("request", metadata: ["request_id": "\(id)", "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                                              "status": "\(status)", "duration_ms": "\(Int(seconds * 1000))"])
        }
        var response = try await next(request, context)
        status = response.status.code
        response.headers[.xRequestID] = id
        return response
    }
}

extension HTTPField.Name {
    static let xRequestID = HTTPField.Name("X-Request-ID")!
}
