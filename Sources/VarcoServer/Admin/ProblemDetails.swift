import Foundation
import HTTPTypes
import Hummingbird
import VarcoCore

/// RFC 9457 problem details, the only error format of the administration API.
struct ProblemDetails: Encodable, Sendable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    /// One entry per thing to fix.
    let errors: [AdminFailure.Problem]

    static func response(_ status: HTTPResponse.Status, code: String, _ detail: String,
                         errors: [AdminFailure.Problem]? = nil) -> Response {
        let problem = ProblemDetails(type: "urn:varco:problem:\(code)", title: status.reasonPhrase, status: status.code, detail: detail,
                                     errors: errors ?? [AdminFailure.Problem(code: code, detail: detail)])
        let data = (try? AdminJSON.encoder.encode(problem)) ?? Data("{}".utf8)
        var response = Response(status: status, headers: [.contentType: "application/problem+json"],
                                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        if status == .unauthorized { response.headers[.wwwAuthenticate] = #"Bearer realm="varco-admin""# }
        return response
    }

    static func response(_ failure: AdminFailure, ifMatchGiven: Bool = false) -> Response {
        let status: HTTPResponse.Status = switch failure.kind {
        case .invalid: .unprocessableContent
        case .notFound: .notFound
        case .conflict: .conflict
        case .stale: ifMatchGiven ? .preconditionFailed : .conflict
        }
        return response(status, code: failure.problems.first?.code ?? "invalid", failure.description, errors: failure.problems)
    }
}

enum AdminJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    static func response(_ value: some Encodable, _ status: HTTPResponse.Status = .ok, etag: Int? = nil, location: String? = nil) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var response = Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        if let etag { response.headers[.eTag] = "\"v\(etag)\"" }
        if let location { response.headers[.location] = location }
        return response
    }

    /// Decodes a JSON body strictly: a body that is not JSON of the expected shape is a 400 with what was wrong.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = 64 * 1024) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch {
            throw APIError(ProblemDetails.response(.contentTooLarge, code: "body-too-large", "The body is larger than \(limit / 1024) KB."))
        }
        let decoder = JSONDecoder()
        do { return try decoder.decode(type, from: Data(buffer: buffer)) } catch let DecodingError.keyNotFound(key, _) {
            throw APIError(ProblemDetails.response(.badRequest, code: "schema", "The member \(key.stringValue) is required: see the OpenAPI document at /admin/api/openapi.json."))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(ProblemDetails.response(.badRequest, code: "schema", "The member \(path) has the wrong type: see the OpenAPI document at /admin/api/openapi.json."))
        } catch {
            throw APIError(ProblemDetails.response(.badRequest, code: "schema", "The body must be a JSON object as described in /admin/api/openapi.json."))
        }
    }
}

/// A finished error response thrown out of an API handler.
struct APIError: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}

extension HTTPField.Name {
    static let ifMatch = HTTPField.Name("If-Match")!
}
