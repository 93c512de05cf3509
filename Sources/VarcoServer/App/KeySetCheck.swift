import Crypto
import Foundation
import Logging
import VarcoCore

/// Every node of a deployment must sign with the same keys: SAML responses and metadata, OIDC tokens, and the
/// pairwise secret behind subjects must not depend on the node a request reaches. The first node records the
/// fingerprint of its key set in the shared store; a node whose keys differ is refused at start.
struct KeySetCheck {
    static let recordName = "signing-key-set"
    /// The files that make a key set, to copy from one node to the others.
    static let keyFiles = """
        saml-signing.key.pem, saml-signing.crt.pem, oidc-rs256.key.pem, oidc-es256.key.pem, pairwise.secret and any \
        saml-signing-next.*, saml-signing-previous.crt.pem, oidc-*-next.key.pem, oidc-published-*.pem
        """
    let records: any DeploymentRecordStore
    let clock: any WallClock
    let logger: Logger

    /// The fingerprint of a key set: SHA-256 over the public parts and the hash of the pairwise secret.
    static func fingerprint(samlCertificates: [String], oidcKeyIDs: [String], pairwiseSecret: [UInt8]) -> String {
        let secretHash = SHA256.hash(data: pairwiseSecret).map { String(format: "%02x", $0) }.joined()
        let text = (["saml:"] + samlCertificates + ["oidc:"] + oidcKeyIDs + ["pairwise:", secretHash]).joined(separator: "\n")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// After a deliberate key change (a rollover step): the data directory's key set becomes the deployment's, so that
    /// a node without the new key files keeps its keys, is refused at its next start, and is told which files to copy.
    @discardableResult
    static func recordChange(of data: DataDirectory, commonName: String, in records: any DeploymentRecordStore,
                             now: Date) async throws -> SigningKeyRing.Files {
        let files = try SigningKeyRing.Files(of: data, commonName: commonName)
        try await records.replace(recordName, with: files.fingerprint, now: now)
        return files
    }

    /// Records `fingerprint` if none is recorded; with `accept`, replaces the recorded one. Throws a `StartupError`,
    /// saying what to do, when this node's keys differ from the recorded ones.
    func verify(_ fingerprint: String, dataDirectory: String, accept: Bool) async throws {
        if accept {
            try await records.replace(Self.recordName, with: fingerprint, now: clock.now())
            logger.notice("recorded this node's signing key set as the deployment's", metadata: ["fingerprint": "\(fingerprint)"])
            return
        }
        let recorded = try await records.record(Self.recordName, ifAbsent: fingerprint, now: clock.now())
        guard recorded == fingerprint else {
            throw VarcoServer.StartupError(description: """
                this node's signing keys (fingerprint \(fingerprint.prefix(16))) differ from the key set recorded in the \
                database (fingerprint \(recorded.prefix(16))), which the other nodes use. Copy the key files of a running \
                node (\(Self.keyFiles)) into \(dataDirectory), or, for a deliberate key change, start one node with \
                --accept-key-set and then copy its key files to the others.
                """)
        }
    }
}
