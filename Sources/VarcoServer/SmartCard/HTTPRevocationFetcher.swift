import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import VarcoSmartCard

/// Fetches OCSP answers and CRLs over HTTP (RFC 6960 Appendix A.1 POST; RFC 5280 §4.2.1.13 http URIs), with a
/// timeout and a size limit. Only http and https URIs are followed.
struct HTTPRevocationFetcher: RevocationFetcher {
    let session: URLSession
    let timeout: TimeInterval
    static let maxBytes = 10 * 1024 * 1024

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(timeout: TimeInterval) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
        self.timeout = timeout
    }

    func ocsp(_ request: [UInt8], to uri: String) async throws -> [UInt8] {
        var urlRequest = URLRequest(url: try Self.url(uri), cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        urlRequest.httpMethod = "POST"
        urlRequest.setValue("application/ocsp-request", forHTTPHeaderField: "Content-Type")
        urlRequest.setValue("application/ocsp-response", forHTTPHeaderField: "Accept")
        urlRequest.httpBody = Data(request)
        return try await fetch(urlRequest)
    }

    func crl(from uri: String) async throws -> [UInt8] {
        try await fetch(URLRequest(url: try Self.url(uri), cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout))
    }

    private func fetch(_ request: URLRequest) async throws -> [UInt8] {
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw Failure(description: "HTTP status \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        guard data.count <= Self.maxBytes else { throw Failure(description: "answer larger than \(Self.maxBytes) bytes") }
        return Array(data)
    }

    static func url(_ uri: String) throws -> URL {
        guard uri.hasPrefix("http://") || uri.hasPrefix("https://"), let url = URL(string: uri) else {
            throw Failure(description: "not an http(s) URI: \(uri)")
        }
        return url
    }
}
