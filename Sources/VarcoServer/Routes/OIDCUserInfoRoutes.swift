import Hummingbird

/// The UserInfo endpoint (OIDC Core §5.3), `GET` and `POST /oidc/userinfo` with a Bearer token.
struct OIDCUserInfoRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        let handler: @Sendable (Request, VarcoRequestContext) async throws -> Response = { request, context in
            let (answer, error) = await varco.oidc.userInfo(authorization: request.headers[.authorization])
            await varco.auditor.refused(error, endpoint: "userinfo", client: context.clientAddress)
            return answer.response
        }
        router.get("/oidc/userinfo", use: handler)
        router.post("/oidc/userinfo", use: handler)
    }
}
