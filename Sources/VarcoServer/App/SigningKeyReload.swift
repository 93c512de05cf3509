import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import VarcoCore

/// Puts signing-key files changed under a running node in use. A rollover step through the console or the API is
/// applied at once by the node that ran it (`KeyRollover`); this service catches a step taken with `varco keys` on
/// the same data directory, and, on the other nodes of a deployment, the key files copied to them after a step.
/// It looks every 30 seconds, and at once on SIGHUP (`systemctl reload`), and only reads: a file missing while it looks
/// is an error, never a reason to generate a key or secret. Key files that differ from the deployment's recorded key
/// set are never used: the node keeps signing with the keys it has and says which files to copy.
struct SigningKeyReload: Service {
    enum Outcome: Equatable, Sendable {
        case unchanged
        case applied
        /// The files here are not the deployment's key set (recorded by the node that changed it).
        case differsFromDeployment
        case failed
    }

    let varco: Varco
    var interval: Duration = .seconds(30)

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Periodic.run(every: interval, startingNow: false) { _ = await check() } }
            group.addTask {
                let hangups = await UnixSignalsSequence(trapping: .sighup)
                await cancelWhenGracefulShutdown {
                    for await _ in hangups { _ = await check() }
                }
            }
            // The periodic loop ends at graceful shutdown; the signal loop then has nothing left to do.
            try await group.next()
            group.cancelAll()
        }
    }

    func check() async -> Outcome {
        let files: SigningKeyRing.Files
        let recorded: String
        do {
            files = try SigningKeyRing.Files(of: try DataDirectory(path: varco.configuration.dataDirectory, createsMissing: false),
                                             commonName: varco.configuration.keyCommonName)
            recorded = try await varco.stores.deployment.record(KeySetCheck.recordName, ifAbsent: files.fingerprint, now: varco.clock.now())
        } catch {
            varco.logger.error("could not check the signing key files: this node keeps signing with its current keys",
                               metadata: ["error": "\(error)"])
            return .failed
        }
        guard recorded == files.fingerprint else {
            varco.logger.error("""
                the deployment's signing keys changed (fingerprint \(recorded.prefix(16))) but this node's key files \
                (fingerprint \(files.fingerprint.prefix(16))) are not those: copy the key files of the node where the rollover \
                step was taken (\(KeySetCheck.keyFiles)) into \(varco.configuration.dataDirectory), or, if these files are a \
                deliberate change, restart this node with --accept-key-set; until then it keeps signing with its current keys
                """)
            return .differsFromDeployment
        }
        guard files.fingerprint != varco.keySetFingerprint else { return .unchanged }
        varco.keyRing.apply(files)
        varco.logger.notice("signing keys changed in the data directory are now in use", metadata: ["fingerprint": "\(files.fingerprint)"])
        return .applied
    }
}
