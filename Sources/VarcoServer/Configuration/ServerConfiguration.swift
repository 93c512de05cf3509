import Foundation
import VarcoCore
import VarcoSAML
import VarcoStoragePostgres

/// How `varco serve` runs. Every value has a safe default; `validate()` reports unsafe ones at start.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The address citizens and services use, e.g. `https://login.regione.example`. Defaults to `https://host:port`.
    public var publicURL: String
    public var dataDirectory: String
    public var templatesDirectory: String
    public var sessionPolicy: SessionPolicy
    public var maxLoginAttempts: Int
    public var requireSignedRequests: Bool
    public var organizationName: String
    /// Seed the demo citizen and register the demo services.
    public var demo: Bool
    /// Port of the demo services' pages (plain HTTP on loopback), when `demo` is set.
    public var demoServicePort: Int?
    /// TLS certificate and key (PEM); when absent a self-signed pair is generated in the data directory.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Regional OTP credentials with SMS codes: policy and SMS gateway.
    public var otp = OTPSettings()
    /// A `postgres://` connection string (several hosts for failover, see docs/cluster.md); nil keeps the
    /// embedded SQLite database in the data directory.
    public var database: String?
    /// Records this node's signing key set in the store even if another one is recorded (a deliberate rollover).
    public var acceptKeySet = false
    /// How long a stopping server (SIGTERM) waits for the requests in flight before cancelling them.
    public var shutdownGracePeriod: Duration = .seconds(20)
    /// Login through SPID and CIE (Varco as a service provider toward the national identity providers).
    public var upstream = UpstreamSettings()
    /// Smart-card login (TS-CNS, CNS, CIE): trust, listener, reverse-proxy mode, per-family policies.
    public var smartCard = SmartCardSettings()
    /// The administration console and API: how fresh an administrator's login must be, who may read /metrics.
    public var admin = AdminSettings()

    public init(host: String = "127.0.0.1", port: Int = 8443, publicURL: String? = nil, dataDirectory: String = "var",
                templatesDirectory: String = "templates", sessionPolicy: SessionPolicy = .init(), maxLoginAttempts: Int = 5,
                requireSignedRequests: Bool = false, organizationName: String = "Varco",
                demo: Bool = false, demoServicePort: Int? = nil, tlsCertificatePath: String? = nil, tlsKeyPath: String? = nil) {
        self.host = host
        self.port = port
        self.publicURL = (publicURL ?? "https://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)").trimmingSuffix("/")
        self.dataDirectory = dataDirectory
        self.templatesDirectory = templatesDirectory
        self.sessionPolicy = sessionPolicy
        self.maxLoginAttempts = maxLoginAttempts
        self.requireSignedRequests = requireSignedRequests
        self.organizationName = organizationName
        self.demo = demo
        self.demoServicePort = demoServicePort
        self.tlsCertificatePath = tlsCertificatePath
        self.tlsKeyPath = tlsKeyPath
    }

    public var entityID: String { "\(publicURL)/metadata" }
    /// The common name of the signing certificates Varco generates: the public host name.
    var keyCommonName: String { URL(string: publicURL)?.host ?? "varco" }
    public var ssoURL: String { "\(publicURL)/sso" }
    /// The SAML SingleLogoutService, HTTP-Redirect and HTTP-POST.
    public var sloURL: String { "\(publicURL)/slo" }

    /// Problems that must stop the server, each phrased as what to change.
    public func validate() -> [String] {
        var problems: [String] = []
        if !publicURL.hasPrefix("https://") {
            problems.append("--public-url must start with https:// (cookies are Secure and SameSite=None)")
        }
        if !(1...65535).contains(port) { problems.append("--port must be between 1 and 65535") }
        if maxLoginAttempts < 1 { problems.append("the maximum number of login attempts must be at least 1") }
        if sessionPolicy.idleTimeout <= 0 || sessionPolicy.absoluteTimeout < sessionPolicy.idleTimeout {
            problems.append("session timeouts: idle must be positive and not longer than the absolute timeout")
        }
        problems += admin.validate()
        if (tlsCertificatePath == nil) != (tlsKeyPath == nil) {
            problems.append("give both --tls-cert and --tls-key, or neither to use a generated certificate")
        }
        if let database {
            do { _ = try PostgresSettings(url: database) } catch { problems.append("--database: \(error.description)") }
        }
        problems += upstream.validate()
        problems += smartCard.validate(mainPort: port)
        return problems
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}

extension ServerConfiguration {
    /// Varco's IdP metadata (to be signed): its endpoints and the signing certificates, the active one first.
    func identityProviderMetadata(signingCertificates: [String]) -> IdentityProviderMetadata {
        IdentityProviderMetadata(entityID: entityID, ssoRedirectURL: ssoURL, ssoPostURL: ssoURL, sloRedirectURL: sloURL, sloPostURL: sloURL,
                                 signingCertificates: signingCertificates, wantAuthnRequestsSigned: requireSignedRequests,
                                 organizationName: organizationName, organizationURL: publicURL)
    }
}
