import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle
import VarcoCore
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
        let storage = try SQLiteStorage(path: data.databasePath)
        let pages = try await Pages(directory: configuration.templatesDirectory)
        let varco = try Varco(configuration: configuration, stores: storage.stores, pages: pages, dataDirectory: data, logger: logger)

        var services: [any Service] = [StoreJanitor(stores: storage.stores, policy: configuration.sessionPolicy,
                                                    clock: varco.clock, logger: logger),
                                     MetadataRefresher(varco: varco)]
        if let days = configuration.admin.auditRetentionDays {
            services.append(AuditRetention(audit: varco.stores.audit, days: days, clock: varco.clock, logger: logger))
        }
        if configuration.demo, let demoPort = configuration.demoServicePort {
            let demoIdentity = try data.identity(named: "demo-services", commonName: "demo-services")
            let demoKey = try XMLSigningKey(privateKeyPEM: demoIdentity.privateKeyPEM, certificatePEM: demoIdentity.certificatePEM)
            try await DemoSeeder(stores: storage.stores, clock: varco.clock, random: varco.random)
                .seed(servicePort: demoPort, serviceCertificateBase64: demoKey.certificateBase64)
            let demoRouter = Router(context: VarcoRequestContext.self)
            demoRouter.add(middleware: SecurityHeadersMiddleware(pages: pages, logger: logger))
            DemoServiceRoutes(varco: varco, port: demoPort, key: demoKey).register(on: demoRouter)
            try StaticFiles(templatesDirectory: configuration.templatesDirectory).register(on: demoRouter)
            services.append(Application(router: demoRouter, configuration: .init(address: .hostname("127.0.0.1", port: demoPort),
                                                                                    serverName: "Varco demo services"), logger: logger))
            logger.notice("demo OTP policy: issuance cut-off \(configuration.otp.policy.issuanceCutoff ?? "none"), usage deadline \(configuration.otp.policy.usageDeadline ?? "none"); SMS at \(configuration.publicURL)/demo/sms")
            logger.notice("demo services at http://127.0.0.1:\(demoPort)/fse/ (citizen OTP ID \(DemoSeeder.otpID))")
        }

        let tls = try tlsConfiguration(configuration, data: data)
        let app = Application(router: try router(for: varco), server: try .tls(.http1(), tlsConfiguration: tls),
                              configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Varco"),
                              services: services, logger: logger)
        logger.notice("Varco listening on \(configuration.publicURL) (metadata: \(configuration.entityID))")
        try await app.runService()
    }

    /// The router with every route and the security middleware. Tests use it without TLS.
    static func router(for varco: Varco) throws -> Router<VarcoRequestContext> {
        let router = Router(context: VarcoRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: varco.metrics, logger: varco.logger, random: varco.random))
        router.add(middleware: SecurityHeadersMiddleware(pages: varco.pages, logger: varco.logger))
        try HomeRoutes(varco: varco).register(on: router)
        MetadataRoutes(varco: varco).register(on: router)
        SSORoutes(varco: varco).register(on: router)
        LoginRoutes(varco: varco).register(on: router)
        OTPAppRoutes(varco: varco).register(on: router)
        OIDCRoutes(varco: varco).register(on: router)
        OTPLifecycleRoutes(varco: varco).register(on: router)
        OperatorAPIRoutes(varco: varco).register(on: router)
        OperatorPageRoutes(varco: varco).register(on: router)
        ProfileRoutes(varco: varco).register(on: router)
        AdminLoginRoutes(varco: varco).register(on: router)
        ConsoleRoutes(varco: varco).register(on: router)
        AdminAPIRoutes(varco: varco).register(on: router)
        OperationsRoutes(varco: varco).register(on: router)
        return router
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
