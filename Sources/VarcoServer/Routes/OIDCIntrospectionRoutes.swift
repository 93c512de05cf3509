import Hummingbird

/// Token introspection (RFC 7662), `POST /oidc/introspect`.
struct OIDCIntrospectionRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.post("/oidc/introspect") { request, context -> Response in
            let (answer, error) = await varco.oidc.introspect(body: try await request.formBody(), authorization: request.headers[.authorization])
            await varco.auditor.refused(error, endpoint: "introspect", client: context.clientAddress)
            return answer.response
        }
    }
}
