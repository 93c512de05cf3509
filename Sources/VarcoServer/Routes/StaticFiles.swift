import Foundation
import Hummingbird

/// `GET /static/{file}`: the style sheet and the auto-submit script, read once at start.
struct StaticFiles: Sendable {
    let files: [String: (contentType: String, body: String)]

    init(templatesDirectory: String) throws {
        var files: [String: (String, String)] = [:]
        for (name, type) in [("varco.css", "text/css; charset=utf-8"), ("autosubmit.js", "text/javascript; charset=utf-8")] {
            let path = URL(fileURLWithPath: templatesDirectory).appendingPathComponent("static/\(name)").path
            guard let body = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw Pages.Problem.missingTemplate("static/\(name)")
            }
            files[name] = (type, body)
        }
        self.files = files
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/static/:file") { _, context -> Response in
            guard let file = files[try context.parameters.require("file")] else {
                throw WebError(.notFound, "error_notFound")
            }
            return Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "public, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(string: file.body)))
        }
    }
}
