import Hummingbird

/// Token revocation (RFC 7009), `POST /oidc/revoke`.
struct OIDCRevocationRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.post("/oidc/revoke") { request, context -> Response in
            let (answer, error) = await varco.oidc.revoke(body: try await request.formBody(), authorization: request.headers[.authorization])
            await varco.auditor.refused(error, endpoint: "revoke", client: context.clientAddress)
            return answer.response
        }
    }
}
