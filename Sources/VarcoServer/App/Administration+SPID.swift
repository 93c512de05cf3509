import Foundation
import VarcoCore
import VarcoSPID

extension Administration {
    /// Generates a new signing key pair for Varco's SPID or CIE service provider (AgID Avviso 29 v3:
    /// organizationIdentifier PA:IT-<IPA code>, uri = entityID, SP certificate policies), stores it in
    /// the data directory (replacing the previous one) and returns the certificate (PEM).
    /// Publish the new metadata and give it to AgID / the CIE federation portal.
    public func generateUpstreamCertificate(kind: String, configuration: ServerConfiguration) throws -> String {
        guard let kind = UpstreamLogin.Kind(rawValue: kind) else { throw Failure("--kind must be spid or cie") }
        let problems = configuration.upstream.serviceProvider.validate()
        guard problems.isEmpty else { throw Failure(problems.joined(separator: "\n")) }
        let endpoints = ServiceProviderEndpoints(kind: kind, publicURL: configuration.publicURL)
        return try data.writeUpstreamSigningIdentity(endpoints, settings: configuration.upstream.serviceProvider).certificatePEM
    }

    /// Varco's signed service-provider metadata for SPID or CIE, as published at `/spid/metadata` and `/cie/metadata`.
    public func upstreamMetadata(kind: String, configuration: ServerConfiguration) throws -> String {
        guard let kind = UpstreamLogin.Kind(rawValue: kind) else { throw Failure("--kind must be spid or cie") }
        let service = try UpstreamLoginService(configuration: configuration, dataDirectory: data, stores: stores.upstream,
                                               clock: clock, random: random)
        return try service.metadata(kind)
    }
}
