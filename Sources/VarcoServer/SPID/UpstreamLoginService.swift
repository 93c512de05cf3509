import Foundation
import Logging
import VarcoCore
import VarcoSAML
import VarcoSPID
import VarcoXML
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Varco as a service provider toward SPID and CIE: its two metadata documents and keys, the trusted
/// providers, the requests it sends and the checks of what comes back. No HTTP types here beyond
/// what the routes hand in.
struct UpstreamLoginService: Sendable {
    let settings: UpstreamSettings
    let spid: ServiceProviderEndpoints
    let cie: ServiceProviderEndpoints
    let spidKey: XMLSigningKey
    let cieKey: XMLSigningKey
    let registry: UpstreamRegistry
    let stores: UpstreamStores
    let clock: any WallClock
    let random: any RandomSource
    /// How long a sent AuthnRequest waits for its answer.
    let requestLifetime: TimeInterval = 15 * 60

    init(configuration: ServerConfiguration, dataDirectory: DataDirectory, stores: UpstreamStores,
         clock: any WallClock, random: any RandomSource) throws {
        settings = configuration.upstream
        spid = ServiceProviderEndpoints(kind: .spid, publicURL: configuration.publicURL)
        cie = ServiceProviderEndpoints(kind: .cie, publicURL: configuration.publicURL)
        let spidIdentity = try dataDirectory.upstreamSigningIdentity(spid, settings: settings.serviceProvider)
        spidKey = try XMLSigningKey(privateKeyPEM: spidIdentity.privateKeyPEM, certificatePEM: spidIdentity.certificatePEM)
        let cieIdentity = try dataDirectory.upstreamSigningIdentity(cie, settings: settings.serviceProvider)
        cieKey = try XMLSigningKey(privateKeyPEM: cieIdentity.privateKeyPEM, certificatePEM: cieIdentity.certificatePEM)
        let signers = try settings.metadataSigners.map { path in
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationProblem("--metadata-signer \(path): cannot read the certificate")
            }
            return try XMLVerificationKey(certificate: pem)
        }
        let sources = settings.spidMetadata.map { UpstreamMetadataSource(kind: .spid, location: $0, signers: signers) }
            + settings.cieMetadata.map { UpstreamMetadataSource(kind: .cie, location: $0, signers: signers) }
            + settings.testSPIDMetadata.map { UpstreamMetadataSource(kind: .spid, location: $0, signers: [], testOnly: true) }
            + settings.testCIEMetadata.map { UpstreamMetadataSource(kind: .cie, location: $0, signers: [], testOnly: true) }
        registry = UpstreamRegistry(sources: sources)
        self.stores = stores
        self.clock = clock
        self.random = random
    }

    func endpoints(_ kind: UpstreamLogin.Kind) -> ServiceProviderEndpoints { kind == .spid ? spid : cie }
    func key(_ kind: UpstreamLogin.Kind) -> XMLSigningKey { kind == .spid ? spidKey : cieKey }

    /// Loads (or reloads) every metadata source; returns the problems, each saying what to do.
    @discardableResult
    func refreshMetadata() async -> [String] {
        await registry.refresh { source in
            if source.isURL {
                guard let url = URL(string: source.location) else { throw ConfigurationProblem("not a URL") }
                let (data, response) = try await URLSession.shared.data(from: url)
                guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw ConfigurationProblem("HTTP error fetching the metadata") }
                return Array(data)
            }
            guard let data = FileManager.default.contents(atPath: source.location) else {
                throw ConfigurationProblem("cannot read the file")
            }
            return Array(data)
        }
    }

    /// Varco's signed service-provider metadata for SPID or CIE.
    func metadata(_ kind: UpstreamLogin.Kind) throws -> String {
        try UpstreamServiceProviderMetadata(endpoints: endpoints(kind), settings: settings.serviceProvider,
                                            signingCertificates: [key(kind).certificateBase64])
            .signed(with: key(kind), id: random.xmlID())
    }

    /// Where the browser goes to authenticate at `provider`: a signed AuthnRequest (HTTP-Redirect when the
    /// provider offers it, else HTTP-POST), remembered as pending for this browser.
    func start(_ provider: UpstreamIdentityProvider, level: LevelOfAssurance, browser: String,
               transaction: String?) async throws -> ProtocolAnswer {
        let kind = provider.kind
        guard let destination = provider.ssoRedirectURL ?? provider.ssoPostURL else { throw LoginError.unknownParty }
        let now = clock.now()
        let request = UpstreamAuthnRequest(id: random.xmlID(), issueInstant: now, issuer: endpoints(kind).entityID,
                                           destination: destination, level: level, comparison: "minimum", kind: kind)
        let relayState = random.token(byteCount: 24)
        try await stores.pending.insert(PendingUpstreamRequest(
            id: request.id, kind: kind, identityProvider: provider.entityID, issueInstant: now, requestedLevel: level,
            comparison: request.comparison, relayState: relayState, browserBinding: browser, loginTransaction: transaction,
            expires: now.addingTimeInterval(requestLifetime)))
        if provider.ssoRedirectURL != nil {
            return .redirect(try request.redirectURL(relayState: relayState, key: key(kind)))
        }
        return .postForm(try request.postForm(relayState: relayState, key: key(kind)))
    }
}
