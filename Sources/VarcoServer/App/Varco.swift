import Foundation
import Logging
import VarcoCore
import VarcoOIDC
import VarcoOTP
import VarcoSAML
import VarcoSmartCard
import VarcoXML

/// Everything a running Varco needs, wired once at start. Routes read from it; nothing is global.
struct Varco: Sendable {
    let configuration: ServerConfiguration
    let stores: Stores
    let pages: Pages
    let postForms: PostFormPages
    let clock: any WallClock
    let random: any RandomSource
    let logger: Logger
    /// The signing keys, changed by a rollover step while Varco runs.
    let keyRing: SigningKeyRing
    var signingKey: XMLSigningKey { keyRing.current.saml }
    /// The SAML certificates in the metadata: the active one first.
    var signingCertificates: [String] { keyRing.current.samlCertificates }
    let idp: IdentityProviderConfiguration
    let receiver: AuthnRequestReceiver
    let responses: ResponseBuilder
    let engine: LoginEngine
    let auditor: Auditor
    let otpApp: OTPAppAuthenticator
    let oidc: OIDCProvider
    /// Regional OTP credentials with SMS codes (login method `otp-sms`, issuance, first access, recovery).
    let otp: RegionalOTP
    /// Identifies the signing keys and pairwise secret, the same on every node of a deployment (`KeySetCheck`).
    var keySetFingerprint: String { keyRing.current.fingerprint }
    /// Login through SPID and CIE: Varco as a service provider toward the national identity providers.
    let upstream: UpstreamLoginService
    /// Single logout: checks of inbound LogoutRequests and LogoutResponses, Varco's own messages, the orchestration.
    let logoutRequests: LogoutRequestReceiver
    let logoutResponses: LogoutResponseReceiver
    let logoutMessages: LogoutMessageBuilder
    let logout: SingleLogoutCoordinator
    /// Smart-card login (TS-CNS, CNS, CIE), when configured.
    let smartCard: SmartCardAuthenticator?
    /// Seals the console's cookie and login tickets.
    let adminCookie: AdminSessionCookie
    /// The OpenAPI 3.1 document of the administration API, served as it is in the repository.
    let adminAPIDocument: String
    /// Fetches SAML metadata registered by URL.
    let metadataFetcher: any MetadataFetching
    /// Counters and latency histograms for `/metrics`.
    let metrics: Metrics

    init(configuration: ServerConfiguration, stores: Stores, pages: Pages, dataDirectory: DataDirectory,
         clock: any WallClock = SystemWallClock(), random: any RandomSource = SystemRandomSource(), logger: Logger,
         upstreamLogout: (any UpstreamLogout)? = nil, metadataFetcher: any MetadataFetching = URLSessionMetadataFetcher()) throws {
        self.metadataFetcher = metadataFetcher
        self.configuration = configuration
        let metrics = Metrics()
        self.metrics = metrics
        var stores = stores
        stores.audit = MeteredAuditLog(base: stores.audit, metrics: metrics)
        stores.sessions = MeteredSessionStore(base: stores.sessions, metrics: metrics)
        self.stores = stores
        self.pages = pages
        postForms = PostFormPages(pages: pages)
        self.clock = clock
        self.random = random
        self.logger = logger
        let keyRing = SigningKeyRing(try SigningKeyRing.Files(of: dataDirectory, commonName: configuration.keyCommonName))
        self.keyRing = keyRing
        idp = IdentityProviderConfiguration(entityID: configuration.entityID, ssoURL: configuration.ssoURL, sloURL: configuration.sloURL,
                                            requireSignedRequests: configuration.requireSignedRequests,
                                            pairwiseSecret: try dataDirectory.secret(named: "pairwise"))
        let metadataCache = MetadataCache()
        receiver = AuthnRequestReceiver(configuration: idp, relyingParties: stores.relyingParties, replay: stores.replay, clock: clock,
                                        metadataCache: metadataCache)
        responses = ResponseBuilder(configuration: idp, currentKey: { keyRing.current.saml }, random: random)
        auditor = Auditor(log: stores.audit, clock: clock, logger: logger)
        otpApp = OTPAppAuthenticator(store: stores.otpCredentials, clock: clock)
        otp = RegionalOTP.make(configuration: configuration, stores: stores, clock: clock, random: random)
        let saml = SAMLLoginProtocol(builder: responses, stores: stores, releasePolicy: AttributeReleasePolicy(),
                                     sessionPolicy: configuration.sessionPolicy, clock: clock, metadataCache: metadataCache,
                                     auditor: auditor)
        oidc = OIDCProvider(configuration: OIDCConfiguration(issuer: configuration.publicURL, pairwiseSecret: idp.pairwiseSecret),
                            currentKeys: { keyRing.current.oidc }, stores: stores, clock: clock, random: random)
        upstream = try UpstreamLoginService(configuration: configuration, dataDirectory: dataDirectory, stores: stores.upstream,
                                            clock: clock, random: random)
        logoutRequests = LogoutRequestReceiver(configuration: idp, relyingParties: stores.relyingParties, replay: stores.replay, clock: clock,
                                               metadataCache: metadataCache)
        logoutResponses = LogoutResponseReceiver(configuration: idp, relyingParties: stores.relyingParties, metadataCache: metadataCache)
        logoutMessages = LogoutMessageBuilder(configuration: idp, currentKey: { keyRing.current.saml }, random: random)
        logout = SingleLogoutCoordinator(
            stores: stores, clock: clock, auditor: auditor, messages: logoutMessages, metadataCache: metadataCache, oidc: oidc,
            backChannel: BackChannelLogoutSender(auditor: auditor),
            soap: SOAPLogoutClient(messages: logoutMessages, responses: logoutResponses, metadataCache: metadataCache,
                                   relyingParties: stores.relyingParties, clock: clock),
            upstream: upstreamLogout ?? NationalProviderLogout(service: upstream, auditor: auditor))
        let oidcLogin = OIDCLoginProtocol(provider: oidc)
        var methods = [otpApp.descriptor, otp.descriptor]
        let upstreamSettings = configuration.upstream
        if !(upstreamSettings.spidMetadata + upstreamSettings.testSPIDMetadata).isEmpty || configuration.demo {
            methods.append(AuthenticatorDescriptor(method: .spid, levels: Set(LevelOfAssurance.allCases)))
        }
        if !(upstreamSettings.cieMetadata + upstreamSettings.testCIEMetadata).isEmpty {
            methods.append(AuthenticatorDescriptor(method: .cie, levels: Set(LevelOfAssurance.allCases)))
        }
        smartCard = try configuration.smartCard.trustDirectory.map { path in
            SmartCardAuthenticator(settings: configuration.smartCard, trust: try TrustDirectory(path: path),
                                   citizens: stores.citizens, clock: clock)
        }
        if let smartCard { methods.append(smartCard.descriptor) }
        adminCookie = AdminSessionCookie(secret: try dataDirectory.secret(named: "admin-session"))
        adminAPIDocument = try AdminAPIDocument.load(templatesDirectory: configuration.templatesDirectory)
        let adminLogin = AdminLoginProtocol(cookie: adminCookie, clock: clock, random: random)
        engine = LoginEngine(logins: stores.logins,
                             sessions: SessionManager(store: stores.sessions, policy: configuration.sessionPolicy, clock: clock, random: random,
                                                      expiry: logout),
                             protocols: [saml.name: saml, oidcLogin.name: oidcLogin, adminLogin.name: adminLogin], methods: methods,
                             clock: clock, random: random, auditor: auditor, maxAttempts: configuration.maxLoginAttempts, metrics: metrics)
    }

    /// The signed IdP metadata.
    func metadata() throws -> String {
        try configuration.identityProviderMetadata(signingCertificates: signingCertificates)
            .signed(with: signingKey, id: random.xmlID(), now: clock.now())
    }
}
