import Foundation

/// Counters and latency histograms in memory, exposed at `/metrics` in the Prometheus text format (version 0.0.4).
/// Label values come from small fixed sets (methods, results, protocols, path groups), never from user input.
final class Metrics: @unchecked Sendable {
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct Histogram {
        var counts = [Int](repeating: 0, count: Metrics.latencyBuckets.count)
        var sum = 0.0
        var total = 0
    }

    private let lock = NSLock()
    private var counters: [String: [String: Double]] = [:]
    private var histograms: [String: [String: Histogram]] = [:]
    private var help: [String: String] = [:]

    init() {
        describe("varco_logins_total", "Logins by authentication method and result")
        describe("varco_sso_reuse_total", "Answers given from an existing SSO session, without a new login")
        describe("varco_assertions_issued_total", "SAML assertions, OIDC codes and console sign-ins issued, by protocol")
        describe("varco_tokens_issued_total", "OIDC token endpoint answers that issued tokens")
        describe("varco_sms_sent_total", "SMS handed to the gateway")
        describe("varco_audit_events_total", "Audit events written, by event")
        describe("varco_http_request_duration_seconds", "Request latency by path group and status class")
        describe("varco_store_duration_seconds", "Store call latency by store and operation")
    }

    private func describe(_ name: String, _ text: String) { help[name] = text }

    func count(_ name: String, _ labels: [(String, String)] = [], by amount: Double = 1) {
        let key = Self.labelText(labels)
        lock.withLock { counters[name, default: [:]][key, default: 0] += amount }
    }

    func observe(_ name: String, _ labels: [(String, String)], seconds: Double) {
        let key = Self.labelText(labels)
        lock.withLock {
            var histogram = histograms[name, default: [:]][key] ?? Histogram()
            for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
            histogram.sum += seconds
            histogram.total += 1
            histograms[name, default: [:]][key] = histogram
        }
    }

    /// Times `body` into the histogram `name`.
    func time<T>(_ name: String, _ labels: [(String, String)], _ body: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        defer { observe(name, labels, seconds: Self.seconds(ContinuousClock.now - start)) }
        return try await body()
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The exposition text.
    func render() -> String {
        lock.withLock {
            var lines: [String] = []
            for name in counters.keys.sorted() {
                lines.append("# HELP \(name) \(help[name] ?? name)")
                lines.append("# TYPE \(name) counter")
                for (labels, value) in counters[name]!.sorted(by: { $0.key < $1.key }) {
                    lines.append("\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(Self.number(value))")
                }
            }
            for name in histograms.keys.sorted() {
                lines.append("# HELP \(name) \(help[name] ?? name)")
                lines.append("# TYPE \(name) histogram")
                for (labels, histogram) in histograms[name]!.sorted(by: { $0.key < $1.key }) {
                    let prefix = labels.isEmpty ? "" : labels + ","
                    for (index, bound) in Self.latencyBuckets.enumerated() {
                        lines.append("\(name)_bucket{\(prefix)le=\"\(bound)\"} \(histogram.counts[index])")
                    }
                    lines.append("\(name)_bucket{\(prefix)le=\"+Inf\"} \(histogram.total)")
                    lines.append("\(name)_sum\(labels.isEmpty ? "" : "{\(labels)}") \(histogram.sum)")
                    lines.append("\(name)_count\(labels.isEmpty ? "" : "{\(labels)}") \(histogram.total)")
                }
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private static func labelText(_ labels: [(String, String)]) -> String {
        labels.map { "\($0.0)=\"\($0.1.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n"))\"" }
            .joined(separator: ",")
    }
}
