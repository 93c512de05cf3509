import Hummingbird

/// `GET /metadata`: the signed SAML metadata of the identity provider.
struct MetadataRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/metadata") { _, _ -> Response in
            let xml = try varco.metadata()
            return Response(status: .ok, headers: [.contentType: "application/samlmetadata+xml", .cacheControl: "public, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(string: xml)))
        }
    }
}
