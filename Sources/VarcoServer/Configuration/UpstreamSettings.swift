import Foundation
import VarcoSPID

/// Login through SPID and CIE: who Varco is toward the national providers and which providers it trusts.
public struct UpstreamSettings: Sendable {
    /// The organisation, contacts and attribute sets (from `--spid-config FILE`, JSON; demo values otherwise).
    public var serviceProvider = ServiceProviderSettings()
    /// SPID providers' metadata: files (e.g. `metadata/spid/registry.xml`) or https URLs (AgID's registry).
    public var spidMetadata: [String] = []
    /// CIE providers' metadata: files or https URLs (the Ministry's CieID server).
    public var cieMetadata: [String] = []
    /// PEM certificates the federation signs its metadata with (AgID for SPID, the Ministry for CIE).
    public var metadataSigners: [String] = []
    /// TEST ONLY: SPID provider metadata trusted without a signature and without checking its
    /// certificate's validity (spid-sp-test's own provider). Never use with real citizens.
    public var testSPIDMetadata: [String] = []
    /// TEST ONLY: the same for CIE.
    public var testCIEMetadata: [String] = []
    /// How often the metadata is fetched again; a failed refresh keeps the last good copy.
    public var refreshInterval: Duration = .seconds(6 * 3600)
    /// Allowance for clocks that disagree in upstream responses.
    public var clockSkew: TimeInterval = 120

    public init() {}

    public var testSettingInUse: Bool { !testSPIDMetadata.isEmpty || !testCIEMetadata.isEmpty }

    /// Reads the service-provider settings from a JSON file; problems say what to fix.
    public static func serviceProvider(fromJSON path: String) throws -> ServiceProviderSettings {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationProblem("--spid-config \(path): cannot read the file")
        }
        do { return try JSONDecoder().decode(ServiceProviderSettings.self, from: data) } catch {
            throw ConfigurationProblem("--spid-config \(path): not a valid settings file (\(error)); see docs/SPID.md for the fields")
        }
    }

    func validate() -> [String] {
        var problems = serviceProvider.validate()
        if !(spidMetadata + cieMetadata).isEmpty && metadataSigners.isEmpty {
            problems.append("--spid-idp-metadata/--cie-idp-metadata need --metadata-signer CERT.pem (the federation's metadata signing certificate)")
        }
        return problems
    }
}

public struct ConfigurationProblem: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
