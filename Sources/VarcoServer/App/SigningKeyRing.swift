import Foundation
import Synchronization
import VarcoCore
import VarcoOIDC
import VarcoXML

/// The keys Varco signs with and publishes, read from the data directory at start and read again after a rollover
/// step (console, API, or `varco keys` on the same data directory), so that a step applies without a restart.
final class SigningKeyRing: Sendable {
    /// The key files of a data directory, read and checked as a whole before any of them is used.
    struct Files: Sendable {
        let saml: XMLSigningKey
        /// The active certificate first, then those published beside it (base64 DER).
        let samlCertificates: [String]
        let oidc: SigningKeys
        /// Identifies the key set across the nodes of a deployment (`KeySetCheck`).
        let fingerprint: String
        /// The keys for the console, the API and `varco keys list`.
        let views: [SigningKeyView]

        init(of data: DataDirectory, commonName: String) throws {
            let identity = try data.samlSigningIdentity(commonName: commonName)
            saml = try XMLSigningKey(privateKeyPEM: identity.privateKeyPEM, certificatePEM: identity.certificatePEM)
            // Read once, for the metadata and for the views: (next or previous, base64 DER).
            let published = data.publishedSigningCertificatePEMs().compactMap { published in
                (try? XMLVerificationKey(certificate: published.pem)).map { (state: published.state, base64: $0.certificateBase64) }
            }
            samlCertificates = [saml.certificateBase64] + published.map(\.base64)
            oidc = try data.oidcSigningKeys()
            fingerprint = KeySetCheck.fingerprint(samlCertificates: samlCertificates, oidcKeyIDs: [oidc.rsaKeyID, oidc.ecKeyID],
                                                  pairwiseSecret: try data.secret(named: "pairwise"))
            views = SigningKeyView.all(in: data, activeSAML: saml.certificateBase64, publishedSAML: published, oidc: oidc)
        }
    }

    private let inUse: Mutex<Files>

    init(_ files: Files) {
        inUse = Mutex(files)
    }

    /// The key set in use: every reader gets the whole old set or the whole new one, never a mix.
    var current: Files { inUse.withLock { $0 } }

    /// Puts `files` in use, all at once.
    func apply(_ files: Files) {
        inUse.withLock { $0 = files }
    }
}
