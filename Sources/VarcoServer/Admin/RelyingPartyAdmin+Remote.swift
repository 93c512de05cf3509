import Foundation
import VarcoCore

/// SAML services whose metadata is fetched by URL: registration and refresh. A refresh that fails keeps the last good
/// copy serving, records why on the registration (the console and the API show it) and in the audit log.
extension RelyingPartyAdmin {
    /// The URL must be https; plain http only to a loopback address in demo mode.
    func checkedURL(_ text: String) throws(AdminFailure) -> URL {
        guard let url = URL(string: text), let host = url.host, url.scheme == "https" || url.scheme == "http" else {
            throw AdminFailure(.invalid, code: "metadata-url", "\(text) is not an http(s) URL: give the address of the service's metadata.")
        }
        let loopback = host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]"
        guard url.scheme == "https" || (demo && loopback) else {
            throw AdminFailure(.invalid, code: "metadata-url", "\(text) must use https (plain http only on loopback, in demo mode).")
        }
        return url
    }

    func registerSAML(metadataURL: String, pinnedCertificate: String?, entityID: String?, displayName: String?,
                      fetcher: any MetadataFetching) async throws -> RelyingParty {
        var source = RemoteMetadata(url: metadataURL, pinnedCertificate: Self.base64Certificate(pinnedCertificate),
                                    entityID: entityID.flatMap { $0.isEmpty ? nil : $0 })
        let bytes = try await fetcher.fetch(try checkedURL(metadataURL))
        let read = try RemoteMetadataReader().read(bytes, source: source, now: clock.now())
        source.lastFetched = clock.now()
        source.nextRefresh = read.nextRefresh
        source.validUntil = read.validUntil
        return try await registerSAML(metadataXML: read.entityXML, displayName: displayName, source: source)
    }

    /// Fetches the document again now. On failure the registration keeps its metadata; the failure is recorded and thrown.
    func refresh(id: String, fetcher: any MetadataFetching) async throws -> RelyingParty {
        let party = try await find(id)
        guard let source = party.source else {
            throw AdminFailure(.invalid, code: "no-metadata-url", "\(id) was registered from a file, not a URL: upload its new metadata instead.")
        }
        let now = clock.now()
        do {
            let bytes = try await fetcher.fetch(try checkedURL(source.url))
            let read = try RemoteMetadataReader().read(bytes, source: source, now: now)
            let metadata = try metadataCheck.check(read.entityXML, settings: party.settings)
            guard metadata.entityID == id else {
                throw AdminFailure(.invalid, code: "entity-id-changed", "The document at the URL is now for \(metadata.entityID), not \(id): nothing was changed.")
            }
            let changed = read.entityXML != party.metadata
            return try await change(id: id, expectedVersion: party.version, detail: changed ? "metadata refreshed from \(source.url) (changed)" : "metadata refreshed from \(source.url) (unchanged)",
                                    kind: .metadataRefreshed) { party in
                party.metadata = read.entityXML
                party.source?.lastFetched = now
                party.source?.nextRefresh = read.nextRefresh
                party.source?.validUntil = read.validUntil
                party.source?.lastError = nil
            }
        } catch let failure as AdminFailure where failure.kind == .invalid {
            _ = try? await change(id: id, expectedVersion: nil, detail: "metadata refresh from \(source.url) failed, last good copy kept: \(failure.description)",
                                  kind: .metadataRefreshFailed) { party in
                party.source?.lastError = failure.description
                party.source?.nextRefresh = now.addingTimeInterval(15 * 60)
            }
            throw failure
        }
    }

    /// A certificate given as PEM or bare base64, as bare base64 (nil when empty).
    static func base64Certificate(_ text: String?) -> String? {
        guard let text else { return nil }
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined().filter { !$0.isWhitespace }
        return body.isEmpty ? nil : body
    }
}
