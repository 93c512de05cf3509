import HTTPTypes
import Hummingbird
import VarcoOIDC

/// Every OpenID Connect endpoint, one file each.
struct OIDCRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        OIDCDiscoveryRoutes(varco: varco).register(on: router)
        OIDCAuthorizationRoutes(varco: varco).register(on: router)
        OIDCTokenRoutes(varco: varco).register(on: router)
        OIDCUserInfoRoutes(varco: varco).register(on: router)
        OIDCIntrospectionRoutes(varco: varco).register(on: router)
        OIDCRevocationRoutes(varco: varco).register(on: router)
        OIDCLogoutRoutes(varco: varco).register(on: router)
    }
}

extension OAuthJSONResponse {
    /// As a Hummingbird response, JSON, never cached.
    var response: Response {
        var fields: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
        for (name, value) in headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension Request {
    /// The form body of a back-channel OIDC request, as text (the provider decodes it strictly).
    func formBody(limit: Int = 16 * 1024) async throws -> Substring {
        guard headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return "" }
        return Substring(String(buffer: try await body.collect(upTo: limit)))
    }
}

extension Auditor {
    /// Logs a refused OIDC request with its log-only detail.
    func refused(_ error: OAuthError?, endpoint: String, client: String?) async {
        guard let error else { return }
        await record(.requestRejected, detail: "oidc \(endpoint): \(error.code.rawValue): \(error.detail)", client: client)
    }
}
