import Crypto
import Foundation
import Logging
import VarcoCore
import VarcoXML

/// Every node of a deployment must sign with the same keys: SAML responses and metadata, OIDC tokens, and the
/// pairwise secret behind subjects must not depend on the node a request reaches. The first node records the
/// fingerprint of its key set in the shared store; a node whose keys differ is refused at start.
struct KeySetCheck {
    static let recordName = "signing-key-set"
    let records: any DeploymentRecordStore
    let clock: any WallClock
    let logger: Logger

    /// The fingerprint of a key set: SHA-256 over the public parts and the hash of the pairwise secret.
    static func fingerprint(samlCertificates: [String], oidcKeyIDs: [String], pairwiseSecret: [UInt8]) -> String {
        let secretHash = SHA256.hash(data: pairwiseSecret).map { String(format: "%02x", $0) }.joined()
        let text = (["saml:"] + samlCertificates + ["oidc:"] + oidcKeyIDs + ["pairwise:", secretHash]).joined(separator: "\n")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The fingerprint of the key set in a data directory, as a node started on it computes it.
    static func fingerprint(of data: DataDirectory, commonName: String) throws -> String {
        let identity = try data.samlSigningIdentity(commonName: commonName)
        var certificates = [try XMLVerificationKey(certificate: identity.certificatePEM).certificateBase64]
        for published in data.publishedSigningCertificatePEMs() {
            if let key = try? XMLVerificationKey(certificate: published.pem) { certificates.append(key.certificateBase64) }
        }
        let oidc = try data.oidcSigningKeys()
        return fingerprint(samlCertificates: certificates, oidcKeyIDs: [oidc.rsaKeyID, oidc.ecKeyID],
                           pairwiseSecret: try data.secret(named: "pairwise"))
    }

    /// After a deliberate key change (a rollover step): the data directory's key set becomes the deployment's, so that
    /// a node restarted without the new key files is refused and told which files to copy.
    static func recordChange(of data: DataDirectory, commonName: String, in records: any DeploymentRecordStore, now: Date) async throws {
        try await records.replace(recordName, with: try fingerprint(of: data, commonName: commonName), now: now)
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
                node (saml-signing.key.pem, saml-signing.crt.pem, oidc-rs256.key.pem, oidc-es256.key.pem, pairwise.secret \
                and any saml-signing-next.crt.pem, oidc-published-*.pem) into \(dataDirectory), or, for a deliberate \
                key change, start one node with --accept-key-set and then copy its key files to the others.
                """)
        }
    }
}
