import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches a metadata document by URL. Behind a protocol so that tests can serve documents without a network.
protocol MetadataFetching: Sendable {
    func fetch(_ url: URL) async throws(AdminFailure) -> [UInt8]
}

/// Fetches with URLSession within a size and a time limit: an answer announcing or sending more than `maxBytes`
/// is cut off, a server slower than `timeout` is given up; only a 200 is accepted.
struct URLSessionMetadataFetcher: MetadataFetching {
    var maxBytes = 2 * 1024 * 1024
    var timeout: TimeInterval = 10

    func fetch(_ url: URL) async throws(AdminFailure) -> [UInt8] {
        let download = LimitedDownload(limit: maxBytes)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData, timeoutInterval: timeout)
        request.setValue("application/samlmetadata+xml, application/xml;q=0.9", forHTTPHeaderField: "Accept")
        let result: Result<Data, AdminFailure> = await withCheckedContinuation { continuation in
            download.start(session.dataTask(with: request), continuation)
        }
        return try result.map { Array($0) }.get()
    }
}

/// Collects a download and stops it at the size limit; reports once.
private final class LimitedDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let limit: Int
    private let lock = NSLock()
    private var data = Data()
    private var failure: AdminFailure?
    private var continuation: CheckedContinuation<Result<Data, AdminFailure>, Never>?

    init(limit: Int) { self.limit = limit }

    func start(_ task: URLSessionDataTask, _ continuation: CheckedContinuation<Result<Data, AdminFailure>, Never>) {
        lock.withLock { self.continuation = continuation }
        task.resume()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        if status != 200 {
            fail(AdminFailure(.invalid, code: "metadata-url-status", "The metadata URL answered HTTP \(status) instead of 200: check the address."))
            completionHandler(.cancel)
        } else if response.expectedContentLength > Int64(limit) {
            fail(Self.tooLarge(limit))
            completionHandler(.cancel)
        } else {
            completionHandler(.allow)
        }
    }

    /// Redirects are not followed: the registered URL is the one checked (https, or loopback in demo mode).
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        fail(AdminFailure(.invalid, code: "metadata-url-redirect",
                          "The metadata URL redirects to \(request.url?.absoluteString ?? "another address"): register the final address."))
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive chunk: Data) {
        let over = lock.withLock { () -> Bool in
            data.append(chunk)
            return data.count > limit
        }
        if over {
            fail(Self.tooLarge(limit))
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error, (error as? URLError)?.code == .timedOut {
            fail(AdminFailure(.invalid, code: "metadata-url-timeout", "The metadata URL did not answer in time: check that the server is up, or try later."))
        } else if let error {
            fail(AdminFailure(.invalid, code: "metadata-url-unreachable", "The metadata URL could not be fetched (\(error.localizedDescription)): check the address and its TLS certificate."))
        }
        let (continuation, result) = lock.withLock { () -> (CheckedContinuation<Result<Data, AdminFailure>, Never>?, Result<Data, AdminFailure>) in
            defer { self.continuation = nil }
            return (self.continuation, failure.map { .failure($0) } ?? .success(data))
        }
        continuation?.resume(returning: result)
    }

    private func fail(_ failure: AdminFailure) {
        lock.withLock { if self.failure == nil { self.failure = failure } }
    }

    static func tooLarge(_ limit: Int) -> AdminFailure {
        AdminFailure(.invalid, code: "metadata-too-large", "The metadata URL answered more than \(limit / 1024 / 1024) MB: give the address of this service's document, or of an aggregate with the entity filter.")
    }
}
