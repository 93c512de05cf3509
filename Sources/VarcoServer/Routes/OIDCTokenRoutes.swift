import Hummingbird

/// The token endpoint (RFC 6749 §3.2), `POST /oidc/token`.
struct OIDCTokenRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.post("/oidc/token") { request, context -> Response in
            let (answer, error) = await varco.oidc.token(body: try await request.formBody(), authorization: request.headers[.authorization])
            await varco.auditor.refused(error, endpoint: "token", client: context.clientAddress)
            if error == nil { varco.metrics.count("varco_tokens_issued_total") }
            return answer.response
        }
    }
}
