import Foundation
import Hummingbird

/// `GET /` (what Varco is, and the demo services when the demo runs) and `GET /static/{file}`.
struct HomeRoutes {
    let varco: Varco
    let staticFiles: [String: (contentType: String, body: String)]

    init(varco: Varco) throws {
        self.varco = varco
        var files: [String: (String, String)] = [:]
        for (name, type) in [("varco.css", "text/css; charset=utf-8"), ("autosubmit.js", "text/javascript; charset=utf-8")] {
            let path = URL(fileURLWithPath: varco.configuration.templatesDirectory).appendingPathComponent("static/\(name)").path
            guard let body = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw Pages.Problem.missingTemplate("static/\(name)")
            }
            files[name] = (type, body)
        }
        staticFiles = files
    }

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/") { request, _ -> Response in
            let services = varco.configuration.demoServicePort.map { port in
                DemoService.all.map { HomePage.Service(name: $0.name, url: "\($0.baseURL(port: port))/") }
            } ?? []
            let page = HomePage(services: services, metadataURL: varco.idp.entityID)
            var response = HTML.response(varco.pages.render("home", language: request.language, model: page))
            if request.uri.queryParameters["lang"] != nil { response.setCookie(CookieNames.language(request.language)) }
            return response
        }
        router.get("/static/:file") { _, context -> Response in
            guard let file = staticFiles[try context.parameters.require("file")] else {
                throw WebError(.notFound, "error_notFound")
            }
            return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "public, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(string: file.body)))
        }
    }
}
