import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import VarcoCore
import VarcoOIDC
import VarcoOTP
import VarcoServer
import VarcoSmartCard

@main
struct VarcoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "varco",
        abstract: "Varco: a federated identity provider (SAML 2.0, OpenID Connect) for regional services.",
        subcommands: [Serve.self, Metadata.self, ServiceProviders.self, Clients.self, Citizens.self, Operators.self, OTPCredentials.self,
                      AdminTokenCommand.self, AdminCommand.self, Keys.self, SPIDCommand.self],
        defaultSubcommand: Serve.self)
}

struct CommonOptions: ParsableArguments {
    @Option(help: "Directory for the database, keys and secrets.")
    var dataDir = "var"

    @Option(help: "Address citizens and services use (default https://HOST:PORT).")
    var publicURL: String?

    @Option(help: "Listening address.")
    var host = "127.0.0.1"

    @Option(help: "Listening port (HTTPS).")
    var port = 8443

    func server(demo: Bool = false, demoPort: Int? = nil, templates: String = "templates", requireSigned: Bool = false,
                tlsCert: String? = nil, tlsKey: String? = nil) -> ServerConfiguration {
        ServerConfiguration(host: host, port: port, publicURL: publicURL, dataDirectory: dataDir, templatesDirectory: templates,
                            requireSignedRequests: requireSigned, demo: demo, demoServicePort: demoPort,
                            tlsCertificatePath: tlsCert, tlsKeyPath: tlsKey)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the identity provider.")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Seed the demo citizen and register the demo services (FSE, Bandi online, Prenota Salute).")
    var demo = false

    @Option(help: "Port of the demo services' pages on 127.0.0.1 (with --demo).")
    var demoSPPort: Int?

    @Option(help: "Directory of the Mustache templates and translations (default: ./templates, else the one beside the checkout the binary was built in).")
    var templates: String?

    @Flag(help: "Refuse unsigned AuthnRequests from every service.")
    var requireSignedRequests = false

    @Option(help: "TLS certificate chain (PEM). Without it a self-signed certificate is generated in the data directory.")
    var tlsCert: String?

    @Option(help: "TLS private key (PEM).")
    var tlsKey: String?

    @Option(help: ArgumentHelp("PostgreSQL connection string for several nodes: postgres://USER@HOST1:PORT,HOST2:PORT/DB?target_session_attrs=read-write (default: $VARCO_DATABASE, else SQLite in the data directory).", valueName: "url"))
    var database: String?

    @Flag(help: "Record this node's signing keys as the deployment's, replacing the recorded ones (a deliberate key change).")
    var acceptKeySet = false

    @OptionGroup var otp: OTPServeOptions

    @Option(help: "Seconds an administrator's login stays valid for the console (60-28800).")
    var adminMaxAuthAge = 900

    @Option(help: "A bearer token that may read /metrics (at least 16 characters).")
    var metricsToken: String?

    @Option(help: "An address that may read /metrics without a token (repeatable; default 127.0.0.1 and ::1).")
    var metricsAllow: [String] = []

    @Option(help: "Days the audit log keeps its events (30-3650; default: for ever).")
    var auditRetentionDays: Int?

    @Option(help: "Log format: text, or json (one object per line, with the request id).")
    var logFormat = "text"

    @OptionGroup var spid: SPIDServeOptions
    @OptionGroup var card: SmartCardServeOptions

    func run() async throws {
        if logFormat == "json" { LoggingSystem.bootstrap(JSONLogHandler.init) } else if logFormat != "text" {
            throw ValidationError("--log-format must be text or json")
        }
        var logger = Logger(label: "varco")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let demoPort = demo ? (demoSPPort ?? common.port + 1) : nil
        do {
            var configuration = common.server(demo: demo, demoPort: demoPort, templates: templates ?? TemplatesLocation.find(),
                                              requireSigned: requireSignedRequests, tlsCert: tlsCert, tlsKey: tlsKey)
            try otp.apply(to: &configuration, demo: demo)
            configuration.database = database ?? ProcessInfo.processInfo.environment["VARCO_DATABASE"].flatMap { $0.isEmpty ? nil : $0 }
            configuration.acceptKeySet = acceptKeySet
            try spid.apply(to: &configuration)
            let demoTrust = demo && card.cardTrustDir == nil ? try DemoCard.prepare(dataDirectory: common.dataDir) : nil
            try card.apply(to: &configuration, demoTrustDir: demoTrust)
            if demoTrust != nil, configuration.smartCard.port == nil, let demoPort {
                configuration.smartCard.port = demoPort + 1
            }
            configuration.admin.maxAuthenticationAge = TimeInterval(adminMaxAuthAge)
            configuration.admin.metricsToken = metricsToken
            configuration.admin.auditRetentionDays = auditRetentionDays
            if !metricsAllow.isEmpty { configuration.admin.metricsAddresses = metricsAllow }
            try await VarcoServer.run(configuration, logger: logger)
        } catch let error as VarcoServer.StartupError {
            throw ValidationError(error.description)
        }
    }
}

struct Metadata: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the signed SAML metadata of the identity provider.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        print(try Administration(dataDirectory: common.dataDir).metadata(configuration: common.server()))
    }
}

struct ServiceProviders: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sp", abstract: "Manage registered SAML service providers.",
                                                    subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a service provider from its metadata (file or https URL).")
        @Argument(help: "Metadata file, or its https URL.") var source: String
        @Option(help: "Name shown to citizens (default: the metadata's OrganizationDisplayName).") var name: String?
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        @Flag(help: "Refuse unsigned AuthnRequests from this service even if its metadata does not say AuthnRequestsSigned.")
        var requireSignedRequests = false
        @Flag(help: "Accept SHA-1 signatures from this service (old software only).") var legacySHA1 = false
        @Flag(help: "Do not sign the Response element (the assertion stays signed).") var unsignedResponse = false
        @Flag(help: "Do not sign the Assertion element (the response stays signed).") var unsignedAssertion = false
        @Option(help: "Lowest level this service accepts: 1, 2 or 3 (SpidL1-3).") var minimumLevel: Int?
        @Option(help: "Comma-separated attributes this service may receive (default: what its metadata requests).")
        var attributes: String?
        @Flag(help: "Send the assertion encrypted (EncryptedAssertion: AES-256-GCM, key by RSA-OAEP) to the encryption certificate in the service's metadata.")
        var encryptAssertions = false

        func run() async throws {
            if unsignedResponse && unsignedAssertion {
                throw ValidationError("--unsigned-response and --unsigned-assertion together would send nothing signed")
            }
            var level: LevelOfAssurance?
            if let minimumLevel {
                guard let parsed = LevelOfAssurance(rawValue: minimumLevel) else { throw ValidationError("--minimum-level must be 1, 2 or 3") }
                level = parsed
            }
            var released: [IdentityAttribute]?
            if let attributes {
                let names = attributes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                let unknown = names.filter { IdentityAttribute(rawValue: $0) == nil }
                guard unknown.isEmpty else {
                    throw ValidationError("unknown attributes: \(unknown.joined(separator: ", ")); known: \(IdentityAttribute.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                released = names.compactMap(IdentityAttribute.init(rawValue:))
            }
            let settings = RelyingPartySettings(signResponse: !unsignedResponse, signAssertion: !unsignedAssertion,
                                                allowLegacySHA1: legacySHA1, requireSignedRequests: requireSignedRequests,
                                                releasedAttributes: released, minimumLevel: level, encryptAssertion: encryptAssertions)
            let xml = try await MetadataSource.load(source)
            let entityID = try await Administration(dataDirectory: dataDir).addServiceProvider(metadataXML: xml, displayName: name,
                                                                                                settings: settings)
            print(entityID)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered service providers.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"

        func run() async throws {
            for party in try await Administration(dataDirectory: dataDir).serviceProviders() {
                print("\(party.id)\t\(party.kind.rawValue)\t\(party.enabled ? "enabled" : "disabled")\t\(party.displayName)")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a registered service provider.")
        @Argument(help: "The service provider's entityID.") var entityID: String
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"

        func run() async throws {
            try await Administration(dataDirectory: dataDir).removeServiceProvider(entityID)
            print("removed \(entityID)")
        }
    }
}

struct Citizens: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "citizen", abstract: "Manage citizens.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a citizen, optionally with an authenticator-app OTP credential.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        @Option(help: "Codice fiscale.") var cf: String
        @Option(help: "Given name.") var givenName: String
        @Option(help: "Family name.") var familyName: String
        @Option(help: "Date of birth, YYYY-MM-DD.") var birthDate: String
        @Option(help: "Belfiore code of the place of birth, e.g. H501.") var birthPlace: String
        @Option(help: "Province of birth, e.g. RM.") var birthCounty: String?
        @Option(help: "E-mail address.") var email: String?
        @Option(help: "Mobile number, E.164 (+39...).") var mobile: String?
        @Option(help: "OTP ID: the 10 digits of the health card's identification number.") var otpId: String?
        @Option(help: "Password of the OTP credential.") var password: String?
        @Option(help: "Base32 TOTP secret of the authenticator app.") var totpSecret: String?

        func run() async throws {
            let codiceFiscale: CodiceFiscale
            do { codiceFiscale = try CodiceFiscale(cf) } catch {
                throw ValidationError("--cf \(cf) is not a valid codice fiscale (\(error)): check the 16 characters and the last (check) letter")
            }
            guard birthDate.count == 10, birthDate.split(separator: "-").count == 3 else {
                throw ValidationError("--birth-date must be YYYY-MM-DD")
            }
            let citizen = Citizen(codiceFiscale: codiceFiscale, givenName: givenName, familyName: familyName, dateOfBirth: birthDate,
                                  placeOfBirth: birthPlace.uppercased(), countyOfBirth: birthCounty, email: email, mobilePhone: mobile)
            try await Administration(dataDirectory: dataDir).addCitizen(citizen, otpID: otpId, password: password, totpSecret: totpSecret)
            print("added \(codiceFiscale.value)\(otpId.map { " with OTP ID \($0)" } ?? "")")
        }
    }
}

/// Reads metadata from a file or an https URL.
enum MetadataSource {
    static func load(_ source: String) async throws -> String {
        if source.hasPrefix("https://") || source.hasPrefix("http://") {
            guard let url = URL(string: source), source.hasPrefix("https://") || source.contains("://127.0.0.1") || source.contains("://localhost") else {
                throw ValidationError("metadata URLs must use https (plain http only on loopback)")
            }
            let (data, response) = try await URLSession.shared.data(from: url)
            guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw ValidationError("\(source) did not answer 200") }
            return String(decoding: data, as: UTF8.self)
        }
        guard let text = try? String(contentsOfFile: source, encoding: .utf8) else {
            throw ValidationError("cannot read \(source): give a metadata file path or an https URL")
        }
        return text
    }
}

/// Where the templates are when `--templates` is not given: the working directory's `templates`, or the
/// checkout the binary was built in (`.build/<configuration>/varco` -> `templates`), or `share/varco/templates`.
enum TemplatesLocation {
    static func find() -> String {
        let fileManager = FileManager.default
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            URL(fileURLWithPath: fileManager.currentDirectoryPath).appendingPathComponent("templates"),
            executable.appendingPathComponent("../../templates").standardized,
            executable.appendingPathComponent("../../../templates").standardized,
            executable.appendingPathComponent("../share/varco/templates").standardized,
        ]
        return candidates.first { fileManager.fileExists(atPath: $0.appendingPathComponent("home.mustache").path) }?.path ?? "templates"
    }
}


struct AdminTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "admin-token", abstract: "Manage the bearer tokens of the administration REST API.",
                                                    subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API token scoped to a role and print it (shown only once).")
        @Argument(help: "A name for the token (who or what uses it).") var name: String
        @Option(help: "admin (may change), auditor (may only read) or operator.") var role = "admin"
        @Option(help: "Days until the token expires (1-366).") var days = 90
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"

        func run() async throws {
            let token = try await administer(dataDir) { try await $0.addAdminToken(name: name, role: role, lifetimeDays: days) }
            print(token)
            FileHandle.standardError.write(Data("token \(name) (\(role), \(days) days) created: keep it, it is not stored and cannot be shown again\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the API tokens (never their secret).")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        func run() async throws {
            for line in try await Administration(dataDirectory: dataDir).adminTokens().lines { print(line) }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token by its id (from `varco admin-token list`).")
        @Argument(help: "The token's id.") var id: String
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        func run() async throws {
            try await administer(dataDir) { try await $0.revokeAdminToken(id: id) }
        }
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Roll the SAML and OIDC signing keys over: generate-next, activate, retire (a running Varco applies each step within 30 s, or at once on SIGHUP).",
        subcommands: [List.self, GenerateNext.self, Activate.self, Retire.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the signing keys: active and published.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        func run() async throws {
            for line in try Administration(dataDirectory: dataDir).keyListing().lines { print(line) }
        }
    }

    struct GenerateNext: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "generate-next",
                                                        abstract: "Generate the next keys and publish them (metadata, JWKS); the current keys keep signing.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        @Option(help: "Common name of the new SAML certificate.") var commonName = "varco"
        func run() async throws {
            try await administer(dataDir) { try await $0.generateNextKeys(commonName: commonName) }
            print("next keys generated: a running Varco publishes them within 30 s (at once on SIGHUP); let the services reload the metadata and JWKS, then `varco keys activate`")
        }
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign with the next keys; the previous ones stay published.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        func run() async throws {
            try await administer(dataDir) { try await $0.activateNextKeys() }
            print("next keys activated: a running Varco signs with them within 30 s (at once on SIGHUP); `varco keys retire` once the longest token lifetime has passed")
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop publishing the previous keys.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        func run() async throws {
            try await administer(dataDir) { try await $0.retirePreviousKeys() }
            print("previous keys retired: a running Varco stops publishing them within 30 s (at once on SIGHUP)")
        }
    }
}

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "admin", abstract: "Grant and revoke administration roles (admin, operator, auditor).",
                                                    subcommands: [Grant.self, Revoke.self, List.self])

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant a role to a citizen by codice fiscale.")
        @Argument(help: "The codice fiscale.") var codiceFiscale: String
        @Argument(help: "admin, operator or auditor.") var role: String
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        func run() async throws {
            try await administer(dataDir) { try await $0.grantRole(codiceFiscale: codiceFiscale, role: role) }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a role from a citizen.")
        @Argument(help: "The codice fiscale.") var codiceFiscale: String
        @Argument(help: "admin, operator or auditor.") var role: String
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        func run() async throws {
            try await administer(dataDir) { try await $0.revokeRole(codiceFiscale: codiceFiscale, role: role) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the roles granted.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        func run() async throws {
            for line in try await Administration(dataDirectory: dataDir).roleGrants().lines { print(line) }
        }
    }
}

struct Clients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "Manage registered OpenID Connect clients.",
                                                    subcommands: [Add.self, List.self, Claims.self, RotateSecret.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a client; prints its client_id and, once, its secret.")
        @Option(name: .customLong("redirect-uri"), help: "A redirect URI, matched exactly (repeat for several).") var redirectURIs: [String] = []
        @Flag(help: "A public client (no secret; PKCE required).") var `public` = false
        @Flag(help: "Authenticate with client_secret_post instead of client_secret_basic.") var secretPost = false
        @Option(help: "Name shown to citizens.") var name: String?
        @Option(name: .customLong("post-logout-redirect-uri"), help: "Where the client may send the browser after logout, matched exactly (repeat for several).")
        var postLogoutRedirectURIs: [String] = []
        @Option(name: .customLong("backchannel-logout-uri"), help: "Where Varco POSTs a logout token when the citizen logs out.")
        var backchannelLogoutURI: String?
        @Option(name: .customLong("frontchannel-logout-uri"), help: "A page Varco's logout page loads in a frame when the citizen logs out.")
        var frontchannelLogoutURI: String?
        @Option(help: "The client's public keys (a JWK Set as JSON, or @FILE): the client authenticates with private_key_jwt.")
        var jwks: String?
        @Option(help: "Comma-separated claims this client may receive, within what its scopes ask for (default: every claim its scopes allow).")
        var claims: String?
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"

        func run() async throws {
            var keys: JWKSet?
            if let jwks {
                let text = jwks.hasPrefix("@") ? try String(contentsOfFile: String(jwks.dropFirst()), encoding: .utf8) : jwks
                guard let decoded = try? JSONDecoder().decode(JWKSet.self, from: Data(text.utf8)) else {
                    throw ValidationError("--jwks must be a JWK Set: {\"keys\": [...]}")
                }
                keys = decoded
            }
            let method: ClientRegistration.AuthMethod = keys != nil ? .privateKeyJWT : secretPost ? .clientSecretPost : .clientSecretBasic
            let issued = try await administer(dataDir) {
                try await $0.addClient(redirectURIs: redirectURIs, isPublic: `public`, name: name, authMethod: method,
                                       postLogoutRedirectURIs: postLogoutRedirectURIs, backchannelLogoutURI: backchannelLogoutURI,
                                       jwks: keys, frontchannelLogoutURI: frontchannelLogoutURI, releasedClaims: claims.map(Clients.names))
            }
            print("client_id: \(issued.clientID)")
            if let secret = issued.secret { print("client_secret: \(secret)\n(shown only now: store it safely)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered clients.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"

        func run() async throws {
            for (party, registration) in try await Administration(dataDirectory: dataDir).clients() {
                let kind = registration.map { $0.isPublic ? "public" : $0.tokenEndpointAuthMethod.rawValue } ?? "unreadable"
                let uris = registration?.redirectURIs.joined(separator: " ") ?? ""
                print("\(party.id)\t\(kind)\t\(party.enabled ? "enabled" : "disabled")\t\(party.displayName)\t\(uris)\t"
                      + "claims: \(Administration.releasedClaims(of: party))")
            }
        }
    }

    struct Claims: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the claims a client may receive (audited with before and after).")
        @Argument(help: "The client_id.") var clientID: String
        @Option(help: "Comma-separated claims, e.g. https://attributes.eid.gov.it/fiscal_number,email.") var claims: String?
        @Flag(help: "Release every claim the client's scopes allow.") var all = false
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"

        func validate() throws {
            guard (claims != nil) != all else { throw ValidationError("give either --claims or --all") }
        }

        func run() async throws {
            try await administer(dataDir) { try await $0.setClientClaims(clientID, claims.map(Clients.names)) }
            print(claims.map { "\(clientID) receives at most: \($0)" } ?? "\(clientID) receives every claim its scopes allow")
        }
    }

    /// The names of a comma-separated list.
    static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    struct RotateSecret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate-secret", abstract: "Give a client a new secret (the old one stops working).")
        @Argument(help: "The client_id.") var clientID: String
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"

        func run() async throws {
            let issued = try await administer(dataDir) { try await $0.rotateClientSecret(clientID) }
            print("client_secret: \(issued.secret ?? "")\n(shown only now: store it safely)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a client.")
        @Argument(help: "The client_id.") var clientID: String
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"

        func run() async throws {
            try await administer(dataDir) { try await $0.removeClient(clientID) }
            print("removed \(clientID)")
        }
    }
}

// MARK: - Regional OTP credentials (counter operators, issuance, serve options)


/// `varco serve` options of regional OTP credentials.
struct OTPServeOptions: ParsableArguments {
    @Option(help: "First day (YYYY-MM-DD) from which adults get no new OTP credentials, or 'none' (default 2021-02-28).")
    var otpIssuanceCutoff: String?

    @Option(help: "Last day (YYYY-MM-DD) on which adults may sign in with OTP credentials, or 'none' (default 2021-09-30; 'none' with --demo).")
    var otpUsageDeadline: String?

    @Option(help: "SMS provider webhook (https URL receiving {\"to\", \"text\"} as JSON). Without it SMS stay in the outbox.")
    var smsWebhookURL: String?

    @Option(help: "Header sent to the SMS webhook, as 'Name: value' (e.g. 'Authorization: Bearer ...').")
    var smsWebhookHeader: String?

    @Option(help: "JSON body template of the SMS webhook, with {{to}} and {{text}}.")
    var smsWebhookBody: String?

    func policy(demo: Bool) throws -> OTPPolicy {
        var policy = OTPPolicy()
        policy.issuanceCutoff = try Self.day(otpIssuanceCutoff, option: "--otp-issuance-cutoff", default: policy.issuanceCutoff)
        policy.usageDeadline = try Self.day(otpUsageDeadline, option: "--otp-usage-deadline", default: demo ? nil : policy.usageDeadline)
        return policy
    }

    func webhook() throws -> WebhookSMSGateway.Configuration? {
        guard let smsWebhookURL else { return nil }
        guard let url = URL(string: smsWebhookURL), smsWebhookURL.hasPrefix("https://") || smsWebhookURL.contains("://127.0.0.1") else {
            throw ValidationError("--sms-webhook-url must be an https URL (plain http only on 127.0.0.1)")
        }
        var header: (name: String, value: String)?
        if let smsWebhookHeader {
            let parts = smsWebhookHeader.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--sms-webhook-header must be 'Name: value'") }
            header = (parts[0], parts[1])
        }
        var configuration = WebhookSMSGateway.Configuration(url: url, authHeader: header)
        if let smsWebhookBody { configuration.bodyTemplate = smsWebhookBody }
        return configuration
    }

    func apply(to configuration: inout ServerConfiguration, demo: Bool) throws {
        configuration.otp = OTPSettings(policy: try policy(demo: demo), webhook: try webhook())
    }

    static func day(_ value: String?, option: String, default fallback: String?) throws -> String? {
        guard let value else { return fallback }
        if value == "none" { return nil }
        guard OTPPolicy.isDay(value) else { throw ValidationError("\(option) must be YYYY-MM-DD or 'none'") }
        return value
    }
}

struct Operators: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "operator", abstract: "Manage counter operators.",
                                                    subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a counter operator and print its API token (shown only once).")
        @Argument(help: "The operator's name, e.g. asst-milano-sportello-3.") var name: String
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"

        func run() async throws {
            let token = try await Administration(dataDirectory: dataDir).addOperator(name: name)
            print(token)
            FileHandle.standardError.write(Data("operator \(name) added: keep this token, it is not stored and cannot be shown again\n".utf8))
        }
    }
}

struct OTPCredentials: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "otp", abstract: "Issue and manage regional OTP credentials (SMS codes).",
                                                    subcommands: [Issue.self, Unlock.self, ResetApp.self, ReplaceCard.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue OTP credentials at the counter: prints the ID and the first 5 characters of the temporary password; the last 5 go by SMS.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        @Option(help: "Codice fiscale of the holder.") var cf: String
        @Option(help: "The 20-digit identification number on the back of the TS-CNS (field 8); the ID is its last 10 digits.") var cardId: String
        @Option(help: "Mobile number, +39...") var mobile: String
        @Option(help: "Date of birth, YYYY-MM-DD.") var birthDate: String
        @Option(help: "Given name (needed if the citizen is not registered yet).") var givenName: String?
        @Option(help: "Family name (needed if the citizen is not registered yet).") var familyName: String?
        @Flag(help: "The holder is a minor (needs --representative-cf).") var minor = false
        @Option(help: "Codice fiscale of the legal representative or guardian.") var representativeCf: String?
        @Flag(help: "The holder is under guardianship (needs --representative-cf and --decree).") var ward = false
        @Option(help: "Reference of the guardianship decree.") var decree: String?
        @Option(help: "Day an online request was received (YYYY-MM-DD), honoured if before the cut-off.") var requestReceived: String?
        @Option(help: "Name of the issuing operator, for the audit log.") var operatorName = "cli"
        @OptionGroup var otp: OTPServeOptions

        func run() async throws {
            let service = try Administration(dataDirectory: dataDir).regionalOTP(policy: try otp.policy(demo: false), webhook: try otp.webhook())
            let request = IssuanceRequest(codiceFiscale: cf, cardNumber: cardId, mobile: mobile, birthDate: birthDate, givenName: givenName,
                                          familyName: familyName, minor: minor, representativeCF: representativeCf, ward: ward,
                                          decree: decree, requestReceived: requestReceived)
            do {
                let result = try await service.issue(request, by: operatorName)
                print("ID: \(result.id)")
                print("password temporanea, prime 5 (da stampare sul modulo): \(result.paperHalf)")
                print(result.smsSent ? "ultime 5 inviate via SMS" : "ATTENZIONE: SMS non inviato; ripetere più tardi")
            } catch let refused as IssuanceRefused {
                throw ValidationError("credenziali non rilasciate:\n- " + refused.problems.joined(separator: "\n- "))
            }
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift the lockout of an OTP credential after too many wrong passwords.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        @Argument(help: "The 10-digit OTP ID.") var id: String

        func run() async throws {
            let service = try Administration(dataDirectory: dataDir).regionalOTP(policy: OTPPolicy(), webhook: nil)
            do { try await service.unlock(id: id, by: "cli") } catch {
                throw ValidationError("no OTP credential with ID \(id)")
            }
            print("unlocked \(id)")
        }
    }

    struct ResetApp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the authenticator app and its recovery codes from an OTP credential (the holder enrolls again).")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        @Argument(help: "The 10-digit OTP ID.") var id: String

        func run() async throws {
            let service = try Administration(dataDirectory: dataDir).regionalOTP(policy: OTPPolicy(), webhook: nil)
            do { try await service.removeApp(id: id, by: "cli", client: nil) } catch {
                throw ValidationError("no OTP credential with ID \(id)")
            }
            print("authenticator app removed from \(id)")
        }
    }

    struct ReplaceCard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a new health card for an OTP credential: both IDs work until the first login with the new one.")
        @Option(help: "Directory for the database, keys and secrets.") var dataDir = "var"
        @Argument(help: "The 10-digit OTP ID of the old card.") var id: String
        @Option(help: "The 20-digit identification number on the back of the new TS-CNS (field 8).") var newCardId: String
        @Option(help: "Name of the operator, for the audit log.") var operatorName = "cli"

        func run() async throws {
            let service = try Administration(dataDirectory: dataDir).regionalOTP(policy: OTPPolicy(), webhook: nil)
            do {
                let newID = try await service.replaceCard(id: id, newCardNumber: newCardId, by: operatorName, client: nil)
                print("nuovo ID: \(newID) (il vecchio ID \(id) vale fino al primo accesso con il nuovo)")
            } catch let refused as IssuanceRefused {
                throw ValidationError("tessera non registrata:\n- " + refused.problems.joined(separator: "\n- "))
            }
        }
    }
}

struct SPIDServeOptions: ParsableArguments {
    @Option(help: "Settings of Varco as a SPID/CIE service provider (JSON: organizationName, ipaCode, contactEmail, municipality, ...; see docs/SPID.md).")
    var spidConfig: String?

    @Option(name: .customLong("spid-idp-metadata"), help: "SPID identity providers' metadata: a file (e.g. metadata/spid/registry.xml) or an https URL (repeat for several).")
    var spidIdPMetadata: [String] = []

    @Option(name: .customLong("cie-idp-metadata"), help: "CIE identity provider metadata: a file or an https URL (repeat for several).")
    var cieIdPMetadata: [String] = []

    @Option(name: .customLong("metadata-signer"), help: "PEM certificate the SPID/CIE federation signs provider metadata with (repeat for several).")
    var metadataSigners: [String] = []

    @Option(name: .customLong("spid-test-idp-metadata"), help: "TEST ONLY: trust this SPID provider metadata unsigned (e.g. spid-sp-test's own provider). Never with real citizens.")
    var spidTestIdPMetadata: [String] = []

    @Option(name: .customLong("cie-test-idp-metadata"), help: "TEST ONLY: trust this CIE provider metadata unsigned.")
    var cieTestIdPMetadata: [String] = []

    @Option(help: "Hours between refreshes of the provider metadata (default 6).")
    var spidMetadataRefreshHours: Int = 6

    func apply(to configuration: inout ServerConfiguration) throws {
        if let spidConfig {
            do { configuration.upstream.serviceProvider = try UpstreamSettings.serviceProvider(fromJSON: spidConfig) } catch {
                throw ValidationError("\(error)")
            }
        }
        guard spidMetadataRefreshHours >= 1 else { throw ValidationError("--spid-metadata-refresh-hours must be at least 1") }
        configuration.upstream.spidMetadata = spidIdPMetadata
        configuration.upstream.cieMetadata = cieIdPMetadata
        configuration.upstream.metadataSigners = metadataSigners
        configuration.upstream.testSPIDMetadata = spidTestIdPMetadata
        configuration.upstream.testCIEMetadata = cieTestIdPMetadata
        configuration.upstream.refreshInterval = .seconds(spidMetadataRefreshHours * 3600)
    }
}

struct SPIDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "spid", abstract: "Varco as a SPID/CIE service provider.",
                                                    subcommands: [Certificate.self, SPMetadata.self])

    struct Certificate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a new signing certificate (AgID Avviso 29 v3) for the SPID or CIE service provider; prints it.")
        @OptionGroup var common: CommonOptions
        @Option(help: "spid or cie.") var kind = "spid"
        @Option(help: "Service-provider settings (JSON), as for serve.") var spidConfig: String?

        func run() async throws {
            var configuration = common.server()
            if let spidConfig { configuration.upstream.serviceProvider = try UpstreamSettings.serviceProvider(fromJSON: spidConfig) }
            print(try Administration(dataDirectory: common.dataDir).generateUpstreamCertificate(kind: kind, configuration: configuration),
                  terminator: "")
        }
    }

    struct SPMetadata: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "metadata",
                                                        abstract: "Print Varco's signed SPID or CIE service-provider metadata.")
        @OptionGroup var common: CommonOptions
        @Option(help: "spid or cie.") var kind = "spid"
        @Option(help: "Service-provider settings (JSON), as for serve.") var spidConfig: String?

        func run() async throws {
            var configuration = common.server()
            if let spidConfig { configuration.upstream.serviceProvider = try UpstreamSettings.serviceProvider(fromJSON: spidConfig) }
            print(try Administration(dataDirectory: common.dataDir).upstreamMetadata(kind: kind, configuration: configuration))
        }
    }
}

// MARK: - smart-card login options

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

/// Runs an administration action on the data directory's store; a refusal becomes the command's usage error,
/// printed with what to do.
@discardableResult
func administer<T>(_ dataDirectory: String, _ action: (Administration) async throws -> T) async throws -> T {
    do { return try await action(try Administration(dataDirectory: dataDirectory)) } catch let failure as Administration.Failure {
        throw ValidationError(failure.description)
    }
}
