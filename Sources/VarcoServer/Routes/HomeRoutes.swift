import Foundation
import Hummingbird

/// `GET /`: what Varco is, and the demo services when the demo runs.
struct HomeRoutes {
    let varco: Varco
    let staticFiles: StaticFiles

    init(varco: Varco) throws {
        self.varco = varco
        staticFiles = try StaticFiles(templatesDirectory: varco.configuration.templatesDirectory)
    }

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/") { request, _ -> Response in
            let services = varco.configuration.demoServicePort.map { port in
                DemoService.all.map { HomePage.Service(name: $0.name, url: "\($0.baseURL(port: port))/") }
            } ?? []
            let spidProviders = await varco.upstream.registry.providers(.spid)
            let spid = varco.engine.methods.contains { $0.method == .spid } && !spidProviders.isEmpty
            let page = HomePage(services: services, metadataURL: varco.idp.entityID, spidLoginHref: spid ? "/spid/login" : nil)
            var response = HTML.response(varco.pages.render("home", language: request.language, model: page))
            if request.uri.queryParameters["lang"] != nil { response.setCookie(CookieNames.language(request.language)) }
            return response
        }
        staticFiles.register(on: router)
    }
}
