import Foundation
import Synchronization
import X509

/// Reads the trusted issuers from a directory with one subdirectory per family (`cns/`, `cie/`), each holding
/// PEM files (`.pem`, `.crt`, `.cer`; a file may hold several certificates: a bundle). The directory is checked
/// at every use and read again when a file was added, removed or changed, so trust changes need no restart.
public final class TrustDirectory: Sendable {
    public let path: String
    private let state: Mutex<(fingerprint: String, issuers: [TrustedIssuers])>

    /// Throws if the directory cannot be read; a family without a subdirectory simply trusts nothing.
    public init(path: String) throws {
        self.path = path
        let fingerprint = try Self.fingerprint(path)
        state = Mutex((fingerprint, try Self.load(path)))
    }

    /// The current trusted issuers of every family, reloaded if the directory changed.
    public func current() throws -> [TrustedIssuers] {
        let now = try Self.fingerprint(path)
        if let unchanged = state.withLock({ $0.fingerprint == now ? $0.issuers : nil }) { return unchanged }
        let issuers = try Self.load(path)
        state.withLock { $0 = (now, issuers) }
        return issuers
    }

    static func files(_ path: String, family: CardFamily) -> [URL] {
        let directory = URL(fileURLWithPath: path).appendingPathComponent(family.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted()
            .filter { name in ["pem", "crt", "cer"].contains { name.lowercased().hasSuffix("." + $0) } }
            .map { directory.appendingPathComponent($0) }
    }

    static func fingerprint(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TrustDirectoryError("card trust directory \(path) does not exist: create it with cns/ and cie/ subdirectories of PEM files")
        }
        return CardFamily.allCases.flatMap { family in
            files(path, family: family).map { url in
                let attributes = (try? FileManager.default.attributesOfItem(atPath: url.path)) ?? [:]
                let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                return "\(url.path)|\(attributes[.size] ?? 0)|\(modified)"
            }
        }.joined(separator: "\n")
    }

    static func load(_ path: String) throws -> [TrustedIssuers] {
        try CardFamily.allCases.map { family in
            var certificates: [Certificate] = []
            for url in files(path, family: family) {
                let text = try String(contentsOf: url, encoding: .utf8)
                do {
                    certificates += try PEMBundle.certificates(text)
                } catch {
                    throw TrustDirectoryError("\(url.path) is not a PEM certificate file (\(error)): fix or remove it")
                }
            }
            return TrustedIssuers(family: family, certificates: certificates)
        }
    }
}

public struct TrustDirectoryError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
