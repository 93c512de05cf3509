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
        Listing(lines: try SigningKeyRing.Files(of: data, commonName: "varco").views.map(\.line))
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
        let after = try await KeySetCheck.recordChange(of: data, commonName: "varco", in: stores.deployment, now: clock.now()).views
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .relyingPartyChanged, subject: "cli", detail: detail, actor: "cli",
                                                 before: before.joined(separator: "\n"), after: after.map(\.line).joined(separator: "\n")))
    }
}
