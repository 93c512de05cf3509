import Hummingbird
import Logging
import VarcoCore

/// Adds the security headers to every response and turns errors into pages: a `WebError` becomes its
/// page and status; anything else is logged and becomes a generic page, without internals.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let pages: Pages
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as WebError {
            logger.notice("refused request", metadata: ["path": "\(request.uri.path)", "status": "\(error.status.code)",
                                                        "reason": "\(error.messageKey)", "detail": "\(error.detail)"])
            response = errorPage(error.status, error.messageKey, request)
        } catch StoreError.unavailable(let problem) {
            // The database is out of reach (lost connection, failover): nothing was issued; the citizen may retry.
            logger.error("database unavailable", metadata: ["path": "\(request.uri.path)", "error": "\(problem)"])
            response = errorPage(.serviceUnavailable, "error_unavailable", request)
            response.headers[.retryAfter] = "5"
        } catch let error as HTTPError {
            response = errorPage(error.status, error.status == .notFound ? "error_notFound" : "error_badRequest", request)
        } catch {
            logger.error("internal error", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            response = errorPage(.internalServerError, "error_internal", request)
        }
        // A page may widen framing for itself (single logout frames); every other page gets the strict policy.
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] =
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        if response.headers[.xFrameOptions] == nil { response.headers[.xFrameOptions] = "DENY" }
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.strictTransportSecurity] = "max-age=31536000"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    private func errorPage(_ status: HTTPResponse.Status, _ key: String, _ request: Request) -> Response {
        if request.uri.path.hasPrefix("/admin/api/") {
            return ProblemDetails.response(status, code: status == .internalServerError ? "internal" : "request",
                                           pages.message(key, .en))
        }
        let language = Language.choose(query: request.uri.queryParameters["lang"].map(String.init),
                                       cookie: request.cookies[CookieNames.language]?.value)
        let html = pages.render("error", language: language, model: ErrorPage(message: pages.message(key, language)))
        return HTML.response(html, status: status)
    }
}

struct ErrorPage: PageModel {
    let message: String
}
