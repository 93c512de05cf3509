import Hummingbird

/// `GET /.well-known/openid-configuration` and `GET /oidc/jwks`.
struct OIDCDiscoveryRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/.well-known/openid-configuration") { _, _ -> Response in
            json(varco.oidc.discovery().json)
        }
        router.get("/oidc/jwks") { _, _ -> Response in
            json(try varco.oidc.keys.jwks().json, contentType: "application/jwk-set+json")
        }
    }

    private func json(_ body: String, contentType: String = "application/json") -> Response {
        Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "public, max-age=3600", .accessControlAllowOrigin: "*"],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
