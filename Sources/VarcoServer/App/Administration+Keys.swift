import Foundation
import VarcoCore
import VarcoOIDC
import VarcoXML

/// Signing-key rollover from the command line (`varco keys list|generate-next|activate|retire`). SAML metadata and
/// the JWKS carry both keys from `generate-next` until `retire`. Each step records the new key set as the
/// deployment's (`KeySetCheck`): a Varco running on the same data directory applies it within 30 seconds or at SIGHUP
/// (`SigningKeyReload`); a node without the new key files keeps its keys and says which files to copy.
extension Administration {
    public func keyListing() throws -> Listing {
        let active = try data.samlSigningIdentity(commonName: "varco")
        var lines = ["saml\tactive\t\(Self.fingerprint(active.certificatePEM))"]
        lines += data.publishedSigningCertificatePEMs().map { "saml\t\($0.state)\t\(Self.fingerprint($0.pem))" }
        let keys = try data.oidcSigningKeys()
        lines.append("oidc\tactive\t\(keys.rsaKeyID) (RS256)")
        lines.append("oidc\tactive\t\(keys.ecKeyID) (ES256)")
        for key in try keys.jwks().keys where key.kid != keys.rsaKeyID && key.kid != keys.ecKeyID {
            lines.append("oidc\tpublished\t\(key.kid ?? "?") (\(key.kty))")
        }
        return Listing(lines: lines)
    }

    public func generateNextKeys(commonName: String) async throws {
        try await rollover("next signing keys generated and published") { try data.generateNextKeys(commonName: commonName) }
    }

    public func activateNextKeys() async throws {
        try await rollover("next signing keys activated; the previous ones stay published") { try data.activateNextKeys() }
    }

    public func retirePreviousKeys() async throws {
        try await rollover("previous signing keys retired") { try data.retirePreviousKeys() }
    }

    private func rollover(_ detail: String, _ step: () throws -> Void) async throws {
        let before = try keyListing().lines
        do { try step() } catch let failure as DataDirectory.KeyRolloverFailure { throw Failure(failure.description) }
        try await KeySetCheck.recordChange(of: data, commonName: "varco", in: stores.deployment, now: clock.now())
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .relyingPartyChanged, subject: "cli", detail: detail,
                                                 actor: "cli", before: before.joined(separator: "\n"), after: try keyListing().lines.joined(separator: "\n")))
    }

    static func fingerprint(_ pem: String) -> String {
        (try? XMLVerificationKey(certificate: pem)).map { Varco.fingerprint($0.certificateBase64) } ?? "?"
    }
}
