import ArgumentParser
import Foundation
import VarcoCore
import VarcoServer
import VarcoSmartCard

/// `varco serve` options of smart-card login (TS-CNS, CNS, CIE).
struct SmartCardServeOptions: ParsableArguments {
    @Option(help: "Directory of trusted card issuers: cns/ and cie/ subdirectories of PEM CA certificates (re-read when changed). Turns smart-card login on.")
    var cardTrustDir: String?

    @Option(help: "Port of the card listener (TLS asking for a client certificate).")
    var cardPort: Int?

    @Option(help: "Address of the card step as citizens reach it (default https://PUBLIC-HOST:CARD-PORT; the reverse proxy's card address in proxy mode).")
    var cardPublicURL: String?

    @Option(help: "Reverse-proxy mode: IP address of a proxy allowed to send the client-certificate header (repeatable).")
    var cardTrustedProxy: [String] = []

    @Option(help: "Reverse-proxy mode: header with the certificate (nginx $ssl_client_escaped_cert, or RFC 9440 Client-Cert).")
    var cardProxyHeader = "ssl-client-cert"

    @Option(help: "Level a card family proves, FAMILY=1|2|3 (repeatable; defaults cns=2, cie=3).")
    var cardLevel: [String] = []

    @Option(help: "When revocation status cannot be obtained, FAMILY=soft|hard (repeatable; default hard; soft for the demo card).")
    var cardRevocationFailure: [String] = []

    @Option(help: "Accepted certificate policy OIDs of a family, FAMILY=OID,OID (repeatable; defaults cns=1.3.76.16.2.1,1.3.159.6.1.3.2.10,1.3.76.12.1.1.10.2.2.10 and cie=1.3.76.47.4).")
    var cardPolicyOids: [String] = []

    @Option(help: "Seconds an OCSP answer is cached (default 300).")
    var cardOcspCache: Double = 300

    @Option(help: "Longest time in seconds a CRL is cached, also bounded by its nextUpdate (default 3600).")
    var cardCrlCache: Double = 3600

    @Option(help: "Seconds allowed to an OCSP responder or CRL server (default 5).")
    var cardFetchTimeout: Double = 5

    func apply(to configuration: inout ServerConfiguration, demoTrustDir: String?) throws {
        var settings = SmartCardSettings()
        settings.trustDirectory = cardTrustDir ?? demoTrustDir
        settings.port = cardPort
        settings.publicURL = cardPublicURL
        settings.trustedProxies = cardTrustedProxy
        settings.proxyHeader = cardProxyHeader
        settings.ocspCacheSeconds = cardOcspCache
        settings.crlCacheSeconds = cardCrlCache
        settings.fetchTimeoutSeconds = cardFetchTimeout
        if demoTrustDir != nil, cardTrustDir == nil {
            for family in CardFamily.allCases { settings.policies[family]?.revocationFailure = .soft }
        }
        for (family, value) in try Self.pairs(cardLevel, option: "--card-level") {
            guard let number = Int(value), let level = LevelOfAssurance(rawValue: number) else {
                throw ValidationError("--card-level \(family.rawValue)=\(value): the level must be 1, 2 or 3")
            }
            settings.policies[family]?.level = level
        }
        for (family, value) in try Self.pairs(cardRevocationFailure, option: "--card-revocation-failure") {
            guard let mode = RevocationFailureMode(rawValue: value) else {
                throw ValidationError("--card-revocation-failure \(family.rawValue)=\(value): say soft or hard")
            }
            settings.policies[family]?.revocationFailure = mode
        }
        for (family, value) in try Self.pairs(cardPolicyOids, option: "--card-policy-oids") {
            let oids = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !oids.isEmpty, oids.allSatisfy({ $0.split(separator: ".").count >= 2 && $0.allSatisfy { $0.isNumber || $0 == "." } }) else {
                throw ValidationError("--card-policy-oids \(family.rawValue)=\(value): give dotted OIDs separated by commas")
            }
            settings.policies[family]?.policyOIDs = oids
        }
        configuration.smartCard = settings
    }

    static func pairs(_ values: [String], option: String) throws -> [(CardFamily, String)] {
        try values.map { text in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let family = CardFamily(rawValue: parts[0].lowercased()) else {
                throw ValidationError("\(option) \(text): write FAMILY=VALUE with FAMILY cns or cie")
            }
            return (family, parts[1])
        }
    }
}
