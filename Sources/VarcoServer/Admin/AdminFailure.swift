import Foundation
import VarcoCore

/// Why an administrative action was refused: one problem per thing to fix, each with a stable code
/// (for scripts) and a sentence saying what to do (for people). The API turns it into RFC 9457 problem details.
struct AdminFailure: Error, CustomStringConvertible, Sendable {
    enum Kind: Sendable {
        /// The input cannot be accepted as it is (422).
        case invalid
        /// Nothing with this id (404).
        case notFound
        /// It exists already (409).
        case conflict
        /// Someone changed it since it was read (412 with If-Match, 409 otherwise).
        case stale
    }

    struct Problem: Codable, Sendable, Equatable {
        let code: String
        let detail: String
    }

    let kind: Kind
    let problems: [Problem]

    init(_ kind: Kind, _ problems: [Problem]) {
        self.kind = kind
        self.problems = problems
    }

    init(_ kind: Kind, code: String, _ detail: String) {
        self.init(kind, [Problem(code: code, detail: detail)])
    }

    var description: String { problems.map(\.detail).joined(separator: "; ") }
}

/// Who makes a change, for the audit log: a citizen in the console, a token of the API, or the command line.
struct AdminActor: Sendable {
    let name: String
    let client: String?

    static let commandLine = AdminActor(name: "cli", client: nil)
}

/// JSON of a value for the before/after columns of the audit log (sorted keys, so diffs read well).
enum AuditJSON {
    static func of(_ value: some Encodable) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }
}
