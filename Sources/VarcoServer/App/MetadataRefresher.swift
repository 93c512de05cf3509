import Foundation
import Logging
import ServiceLifecycle
import VarcoCore

/// Refreshes SAML metadata registered by URL when it is due (cacheDuration, validUntil, or six hours); a failed
/// refresh keeps the last good copy and is retried after 15 minutes. Stops with the server. With several nodes on one
/// database, one node refreshes at a time (`Stores.jobs`).
struct MetadataRefresher: Service {
    let varco: Varco
    var interval: Duration = .seconds(60)

    func run() async throws {
        try await Periodic.run(every: interval) {
            do { _ = try await varco.stores.jobs.runExclusively("metadata-refresh") { await refreshDue() } } catch {
                varco.logger.error("could not refresh registered metadata: check the database", metadata: ["error": "\(error)"])
            }
        }
    }

    func refreshDue() async {
        let now = varco.clock.now()
        let admin = RelyingPartyAdmin(stores: varco.stores, clock: varco.clock, random: varco.random,
                                      actor: AdminActor(name: "metadata-refresh", client: nil), demo: varco.configuration.demo)
        let due = ((try? await varco.stores.relyingParties.list()) ?? []).filter { party in
            party.source.map { ($0.nextRefresh ?? .distantPast) <= now } ?? false
        }
        for party in due {
            do { _ = try await admin.refresh(id: party.id, fetcher: varco.metadataFetcher) } catch {
                varco.logger.warning("metadata refresh failed, last good copy kept", metadata: ["service": "\(party.id)", "error": "\(error)"])
            }
        }
    }
}
