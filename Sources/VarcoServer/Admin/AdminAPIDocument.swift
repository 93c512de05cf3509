import Foundation

/// The OpenAPI 3.1 document of the administration API (`templates/api/admin-openapi.json`), read and checked at start.
enum AdminAPIDocument {
    static func load(templatesDirectory: String) throws -> String {
        let path = URL(fileURLWithPath: templatesDirectory).appendingPathComponent("api/admin-openapi.json").path
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["openapi"] as? String == "3.1.0",
              let text = String(data: data, encoding: .utf8) else {
            throw Pages.Problem.unreadable("api/admin-openapi.json is missing or is not an OpenAPI 3.1.0 JSON document")
        }
        return text
    }
}
