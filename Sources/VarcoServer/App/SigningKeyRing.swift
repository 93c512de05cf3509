import Foundation
import VarcoCore
import VarcoOIDC
import VarcoXML

/// The keys Varco signs with and publishes, read from the data directory at start and read again after a rollover
/// step (console, API, or `varco keys` on the same data directory), so that a step applies without a restart.
struct SigningKeyRing: Sendable {
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
            samlCertificates = [saml.certificateBase64] + data.publishedSigningCertificatePEMs().compactMap { published in
                try? XMLVerificationKey(certificate: published.pem).certificateBase64
            }
            oidc = try data.oidcSigningKeys()
            fingerprint = KeySetCheck.fingerprint(samlCertificates: samlCertificates, oidcKeyIDs: [oidc.rsaKeyID, oidc.ecKeyID],
                                                  pairwiseSecret: try data.secret(named: "pairwise"))
            views = SigningKeyView.all(in: data, activeSAML: saml.certificateBase64, oidc: oidc)
        }
    }

    let saml: Reloadable<XMLSigningKey>
    let oidc: Reloadable<SigningKeys>
    /// The rest of what the files hold: the published certificates, the fingerprint, the views.
    let files: Reloadable<Files>

    init(_ files: Files) {
        saml = Reloadable(files.saml)
        oidc = Reloadable(files.oidc)
        self.files = Reloadable(files)
    }

    /// Puts `files` in use: what is published changes before what signs, so a signature never comes from a key
    /// missing from the metadata.
    func apply(_ files: Files) {
        self.files.replace(with: files)
        oidc.replace(with: files.oidc)
        saml.replace(with: files.saml)
    }
}
