import Foundation
import VarcoCore
import VarcoXML

/// Where the metadata of national identity providers comes from: a file (e.g. in `metadata/`) or an
/// https URL (e.g. AgID's registry), with the certificates its signature must verify with.
public struct UpstreamMetadataSource: Sendable {
    public var kind: UpstreamLogin.Kind
    /// A file path or an http(s) URL.
    public var location: String
    /// The federation's metadata signing certificates. Empty means "trust unsigned", allowed only
    /// with `testOnly` set (the explicit test setting for spid-sp-test's and the demo's providers).
    public var signers: [XMLVerificationKey]
    public var testOnly: Bool

    public init(kind: UpstreamLogin.Kind, location: String, signers: [XMLVerificationKey], testOnly: Bool = false) {
        self.kind = kind
        self.location = location
        self.signers = signers
        self.testOnly = testOnly
    }

    /// Identifies the source: the same document may be both a SPID and a CIE source.
    var key: String { "\(kind.rawValue) \(location)" }

    public var isURL: Bool { location.hasPrefix("https://") || location.hasPrefix("http://") }
}

/// The identity providers Varco trusts, from their metadata. A refresh replaces a source's providers
/// only when its new document is good; when it fails, the last good copy stays in use.
public actor UpstreamRegistry {
    public typealias Fetch = @Sendable (UpstreamMetadataSource) async throws -> [UInt8]

    private let sources: [UpstreamMetadataSource]
    private var lastGood: [String: [UpstreamIdentityProvider]] = [:]
    private var extra: [UpstreamIdentityProvider] = []

    public init(sources: [UpstreamMetadataSource]) {
        self.sources = sources
    }

    /// Loads every source; returns a problem per source that could not be loaded (its last good copy,
    /// if any, stays), each saying what to do.
    @discardableResult
    public func refresh(fetch: Fetch) async -> [String] {
        var problems: [String] = []
        for source in sources {
            guard source.testOnly || !source.signers.isEmpty else {
                problems.append("\(source.location): no signing certificate given for this metadata; refusing to trust it unsigned")
                continue
            }
            do {
                let bytes = try await fetch(source)
                lastGood[source.key] = try UpstreamIdentityProvider.parse(bytes, kind: source.kind, signers: source.signers)
            } catch {
                let kept = lastGood[source.key] == nil ? "" : " (the last good copy stays in use)"
                problems.append("\(source.location): \(error)\(kept)")
            }
        }
        return problems
    }

    /// Adds a provider known in-process (the demo's stand-in SPID provider).
    public func register(_ provider: UpstreamIdentityProvider) {
        extra.removeAll { $0.entityID == provider.entityID }
        extra.append(provider)
    }

    public func providers(_ kind: UpstreamLogin.Kind) -> [UpstreamIdentityProvider] {
        var seen = Set<String>()
        return (sources.flatMap { lastGood[$0.key] ?? [] } + extra)
            .filter { $0.kind == kind && seen.insert($0.entityID).inserted }
    }

    public func provider(_ kind: UpstreamLogin.Kind, entityID: String) -> UpstreamIdentityProvider? {
        providers(kind).first { $0.entityID == entityID }
    }

    public func provider(entityID: String) -> UpstreamIdentityProvider? {
        provider(.spid, entityID: entityID) ?? provider(.cie, entityID: entityID)
    }
}
