import Foundation
import VarcoCore
import VarcoSmartCard

/// Smart-card login (TS-CNS, CNS, CIE by TLS client certificate). Off unless `trustDirectory` is set.
public struct SmartCardSettings: Sendable {
    /// Directory with `cns/` and `cie/` subdirectories of trusted issuer certificates (PEM); re-read when it changes.
    public var trustDirectory: String?
    /// Port of Varco's own card listener (TLS asking for an optional client certificate). Nil: no listener
    /// (reverse-proxy mode only).
    public var port: Int?
    /// Where the login page sends the citizen for the card step, e.g. `https://login.regione.example:8444`
    /// (the card listener, or the reverse proxy's card host). Default: the public URL's host with `port`.
    public var publicURL: String?
    /// Reverse-proxy mode: the header carrying the proxy-verified certificate (nginx `$ssl_client_escaped_cert`,
    /// or RFC 9440 `Client-Cert`), accepted only from `trustedProxies`.
    public var proxyHeader = "ssl-client-cert"
    /// IP addresses of the reverse proxies allowed to send `proxyHeader`. Empty: reverse-proxy mode is off.
    public var trustedProxies: [String] = []
    public var policies: [CardFamily: CardFamilyPolicy] = [.cns: .cnsDefault, .cie: .cieDefault]
    public var ocspCacheSeconds: TimeInterval = 300
    public var crlCacheSeconds: TimeInterval = 3600
    /// Time allowed to an OCSP responder or CRL distribution point.
    public var fetchTimeoutSeconds: TimeInterval = 5

    public init() {}

    public var enabled: Bool { trustDirectory != nil }

    /// The card step's base URL for a server whose public URL is `main`.
    func cardURL(main: String) -> String? {
        if let publicURL { return publicURL.trimmingSuffix("/") }
        guard let port, let components = URLComponents(string: main), let host = components.host else { return nil }
        return "https://\(host):\(port)"
    }

    func validate(mainPort: Int) -> [String] {
        guard let trustDirectory else {
            if port != nil || !trustedProxies.isEmpty {
                return ["smart-card login needs --card-trust-dir (a directory with cns/ and cie/ subdirectories of PEM CA certificates)"]
            }
            return []
        }
        var problems: [String] = []
        if !FileManager.default.fileExists(atPath: trustDirectory) {
            problems.append("--card-trust-dir \(trustDirectory) does not exist: create it with cns/ and cie/ subdirectories of PEM CA certificates")
        }
        if port == nil && trustedProxies.isEmpty {
            problems.append("smart-card login needs --card-port (Varco's own card listener) or --card-trusted-proxy (reverse-proxy mode)")
        }
        if let port, !(1...65535).contains(port) || port == mainPort {
            problems.append("--card-port must be between 1 and 65535 and differ from --port")
        }
        if port == nil, publicURL == nil {
            problems.append("in reverse-proxy mode give --card-public-url (the proxy's card address)")
        }
        if let publicURL, !publicURL.hasPrefix("https://") {
            problems.append("--card-public-url must start with https://")
        }
        if proxyHeader.isEmpty || proxyHeader.contains(where: { $0 == ":" || $0.isWhitespace }) {
            problems.append("--card-proxy-header must be a header name")
        }
        if ocspCacheSeconds < 0 || crlCacheSeconds < 0 || fetchTimeoutSeconds <= 0 {
            problems.append("card revocation cache lifetimes must be >= 0 and the fetch timeout > 0")
        }
        for (family, policy) in policies where policy.policyOIDs.isEmpty {
            problems.append("--card-policy-oids for \(family.rawValue) must name at least one OID")
        }
        return problems
    }
}
