import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle
import VarcoCore
import VarcoStoragePostgres
import VarcoStorageSQLite
import VarcoXML

/// Starts Varco: checks the configuration and templates, opens the store, wires everything, listens.
public enum VarcoServer {
    public struct StartupError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs until the process is asked to stop (SIGINT/SIGTERM).
    public static func run(_ configuration: ServerConfiguration, logger: Logger) async throws {
        let problems = configuration.validate()
        guard problems.isEmpty else { throw StartupError(description: problems.joined(separator: "\n")) }
        let data = try DataDirectory(path: configuration.dataDirectory)
        let pages = try await Pages(directory: configuration.templatesDirectory)
        guard let database = configuration.database else {
            let storage = try SQLiteStorage(path: data.databasePath)
            return try await serve(configuration, stores: storage.stores, data: data, pages: pages, logger: logger)
        }
        // PostgreSQL: the pools run beside the server and close after it has drained its requests.
        let storage = try PostgresStorage(url: database, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await storage.run() }
            defer { group.cancelAll() }
            logger.notice("PostgreSQL: connecting to \(storage.settings.redacted)")
            try await storage.prepare()
            try await serve(configuration, stores: storage.stores, data: data, pages: pages, logger: logger)
        }
    }

    private static func serve(_ configuration: ServerConfiguration, stores: Stores, data: DataDirectory, pages: Pages,
                              logger: Logger) async throws {
        let varco = try Varco(configuration: configuration, stores: stores, pages: pages, dataDirectory: data, logger: logger)
        try await KeySetCheck(records: stores.deployment, clock: varco.clock, logger: logger)
            .verify(varco.keySetFingerprint, dataDirectory: data.path, accept: configuration.acceptKeySet)
        for problem in await varco.upstream.refreshMetadata() {
            logger.error("SPID/CIE provider metadata not loaded: \(problem)")
        }
        if configuration.upstream.testSettingInUse {
            logger.warning("TEST SETTING: SPID/CIE provider metadata trusted without signature checks (--spid-test-idp-metadata); never use with real citizens")
        }

        var services: [any Service] = [UpstreamMetadataRefresher(upstream: varco.upstream, logger: logger),
                                       StoreJanitor(stores: stores, policy: configuration.sessionPolicy,
                                                    clock: varco.clock, logger: logger, expiry: varco.logout,
                                                    upstreamRetentionDays: configuration.upstream.serviceProvider.responseRetentionDays),
                                       MetadataRefresher(varco: varco), SigningKeyReload(varco: varco)]
        if let days = configuration.admin.auditRetentionDays {
            services.append(AuditRetention(audit: varco.stores.audit, jobs: stores.jobs, days: days, clock: varco.clock, logger: logger))
        }
        if configuration.demo, let demoPort = configuration.demoServicePort {
            let demoIdentity = try data.identity(named: "demo-services", commonName: "demo-services")
            let demoKey = try XMLSigningKey(privateKeyPEM: demoIdentity.privateKeyPEM, certificatePEM: demoIdentity.certificatePEM)
            try await DemoSeeder(stores: stores, clock: varco.clock, random: varco.random)
                .seed(servicePort: demoPort, serviceCertificateBase64: demoKey.certificateBase64)
            let demoRouter = Router(context: VarcoRequestContext.self)
            demoRouter.add(middleware: SecurityHeadersMiddleware(pages: pages, logger: logger))
            DemoServiceRoutes(varco: varco, port: demoPort, key: demoKey,
                              decryptionKey: try XMLDecryptionKey(privateKeyPEM: demoIdentity.privateKeyPEM)).register(on: demoRouter)
            let spidIdentity = try data.identity(named: "demo-spid-idp", commonName: "demo-spid-idp")
            let standIn = DemoSPIDProviderRoutes.standIn(port: demoPort, key: try XMLSigningKey(
                privateKeyPEM: spidIdentity.privateKeyPEM, certificatePEM: spidIdentity.certificatePEM))
            await varco.upstream.registry.register(try standIn.provider())
            DemoSPIDProviderRoutes(varco: varco, standIn: standIn).register(on: demoRouter)
            try StaticFiles(templatesDirectory: configuration.templatesDirectory).register(on: demoRouter)
            services.append(Application(router: demoRouter, configuration: .init(address: .hostname("127.0.0.1", port: demoPort),
                                                                                    serverName: "Varco demo services"), logger: logger))
            logger.notice("demo OTP policy: issuance cut-off \(configuration.otp.policy.issuanceCutoff ?? "none"), usage deadline \(configuration.otp.policy.usageDeadline ?? "none"); SMS at \(configuration.publicURL)/demo/sms")
            logger.notice("demo services at http://127.0.0.1:\(demoPort)/fse/ (citizen OTP ID \(DemoSeeder.otpID))")
        }

        let tls = try tlsConfiguration(configuration, data: data)
        if let card = varco.smartCard, let cardPort = configuration.smartCard.port {
            services.append(try cardListener(varco: varco, card: card, port: cardPort, tls: tls))
            logger.notice("smart-card listener on \(configuration.smartCard.cardURL(main: configuration.publicURL) ?? "port \(cardPort)") (trusted issuers: \(card.trust.path))")
        }
        let app = Application(router: try router(for: varco), server: try .tls(.http1(), tlsConfiguration: tls),
                              configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Varco"),
                              services: services, logger: logger)
        logger.notice("Varco listening on \(configuration.publicURL) (metadata: \(configuration.entityID))")
        // SIGTERM or SIGINT: stop accepting connections, let the requests in flight finish (at most
        // `shutdownGracePeriod`, then they are cancelled), stop the background jobs; the caller then closes the store.
        var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        group.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: group).run()
        logger.notice("Varco stopped: requests drained, closing the store")
    }

    /// The router with every route and the security middleware. Tests use it without TLS.
    static func router(for varco: Varco) throws -> Router<VarcoRequestContext> {
        let router = Router(context: VarcoRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: varco.metrics, logger: varco.logger, random: varco.random))
        router.add(middleware: SecurityHeadersMiddleware(pages: varco.pages, logger: varco.logger))
        try HomeRoutes(varco: varco).register(on: router)
        MetadataRoutes(varco: varco).register(on: router)
        SSORoutes(varco: varco).register(on: router)
        SLORoutes(varco: varco).register(on: router)
        LogoutRoutes(varco: varco).register(on: router)
        LoginRoutes(varco: varco).register(on: router)
        OTPAppRoutes(varco: varco).register(on: router)
        OIDCRoutes(varco: varco).register(on: router)
        OTPLifecycleRoutes(varco: varco).register(on: router)
        OperatorAPIRoutes(varco: varco).register(on: router)
        OperatorPageRoutes(varco: varco).register(on: router)
        ProfileRoutes(varco: varco).register(on: router)
        SPIDRoutes(varco: varco).register(on: router)
        if let card = varco.smartCard { SmartCardRoutes(varco: varco, card: card).register(on: router) }
        AdminLoginRoutes(varco: varco).register(on: router)
        ConsoleRoutes(varco: varco).register(on: router)
        AdminAPIRoutes(varco: varco).register(on: router)
        OperationsRoutes(varco: varco).register(on: router)
        return router
    }

    /// The card listener: its own port, TLS asking for an optional client certificate, only the card routes.
    static func cardListener(varco: Varco, card: SmartCardAuthenticator, port: Int, tls: TLSConfiguration) throws -> some Service {
        let router = Router(context: CardRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware(pages: varco.pages, logger: varco.logger))
        SmartCardRoutes(varco: varco, card: card).register(on: router)
        try StaticFiles(templatesDirectory: varco.configuration.templatesDirectory).register(on: router)
        return Application(router: router, server: .cardTLS(contexts: CardTLSContexts(base: tls, trust: card.trust), inspector: card.inspector),
                           configuration: .init(address: .hostname(varco.configuration.host, port: port), serverName: "Varco card"),
                           logger: varco.logger)
    }

    private static func tlsConfiguration(_ configuration: ServerConfiguration, data: DataDirectory) throws -> TLSConfiguration {
        let certificatePEM: String, keyPEM: String
        if let certPath = configuration.tlsCertificatePath, let keyPath = configuration.tlsKeyPath {
            certificatePEM = try String(contentsOfFile: certPath, encoding: .utf8)
            keyPEM = try String(contentsOfFile: keyPath, encoding: .utf8)
        } else {
            let generated = try data.tlsIdentity(commonName: URL(string: configuration.publicURL)?.host ?? "localhost")
            certificatePEM = generated.certificatePEM
            keyPEM = generated.privateKeyPEM
        }
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
    }
}
