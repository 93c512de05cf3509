import Foundation
import VarcoCore

/// The steps of a signing-key rollover, as the console and the API run them (the CLI runs the same through
/// `Administration`). Each step changes the key files in the data directory; Varco reads them at start, so each
/// applies at the next restart, as the answer says.
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
                try data.generateNextKeys(commonName: URL(string: varco.configuration.publicURL)?.host ?? "varco")
                detail = "next signing keys generated: restart Varco to publish them, then activate"
            case .activate:
                try data.activateNextKeys()
                detail = "next signing keys activated: restart Varco to sign with them; the previous ones stay published"
            case .retire:
                try data.retirePreviousKeys()
                detail = "previous signing keys retired: restart Varco to stop publishing them"
            }
        } catch let failure as DataDirectory.KeyRolloverFailure {
            throw AdminFailure(.conflict, code: "key-rollover", failure.description.prefix(1).uppercased() + failure.description.dropFirst() + ".")
        }
        try await KeySetCheck.recordChange(of: data, commonName: URL(string: varco.configuration.publicURL)?.host ?? "varco",
                                           in: varco.stores.deployment, now: varco.clock.now())
        let listing = try Administration(data: data, stores: varco.stores).keyListing().lines
        try await varco.stores.audit.append(AuditEvent(time: varco.clock.now(), kind: .relyingPartyChanged, subject: actor.name, detail: detail,
                                                       clientAddress: actor.client, actor: actor.name,
                                                       before: varco.signingKeyViews().map { "\($0.use)\t\($0.state)\t\($0.id)" }.joined(separator: "\n"),
                                                       after: listing.joined(separator: "\n")))
        return KeyRolloverView(detail: detail, keys_after_restart: listing)
    }
}
