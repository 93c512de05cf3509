import Foundation
import VarcoCore

/// The steps of a signing-key rollover, as the console and the API run them (the CLI runs the same through
/// `Administration`). Each step changes the key files in the data directory, records the new key set as the
/// deployment's, and puts it in use on this node at once; other nodes follow once the files are copied to them
/// (`SigningKeyReload`).
enum KeyRolloverStep: String, CaseIterable, Sendable {
    case generateNext = "generate-next", activate, retire
}

struct KeyRollover: Sendable {
    let varco: Varco
    let actor: AdminActor

    func run(_ step: KeyRolloverStep) async throws -> KeyRolloverView {
        let data = try DataDirectory(path: varco.configuration.dataDirectory)
        let detail: String
        do {
            switch step {
            case .generateNext:
                try data.generateNextKeys(commonName: varco.configuration.keyCommonName)
                detail = "next signing keys generated and published in the metadata and the JWKS; the current ones keep signing"
            case .activate:
                try data.activateNextKeys()
                detail = "next signing keys activated: they sign from now on; the previous ones stay published"
            case .retire:
                try data.retirePreviousKeys()
                detail = "previous signing keys retired: no longer published"
            }
        } catch let failure as DataDirectory.KeyRolloverFailure {
            throw AdminFailure(.conflict, code: "key-rollover", failure.description.prefix(1).uppercased() + failure.description.dropFirst() + ".")
        }
        let files = try await KeySetCheck.recordChange(of: data, commonName: varco.configuration.keyCommonName, in: varco.stores.deployment,
                                                       now: varco.clock.now())
        let before = varco.signingKeyViews()
        varco.keyRing.apply(files)
        let after = files.views
        try await varco.stores.audit.append(AuditEvent(time: varco.clock.now(), kind: .relyingPartyChanged, subject: actor.name, detail: detail,
                                                       clientAddress: actor.client, actor: actor.name,
                                                       before: before.map(\.line).joined(separator: "\n"),
                                                       after: after.map(\.line).joined(separator: "\n")))
        return KeyRolloverView(detail: detail, keys: after)
    }
}
