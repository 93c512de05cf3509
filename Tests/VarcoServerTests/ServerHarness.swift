import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import VarcoCore
import VarcoOTP
import VarcoSAML
@testable import VarcoServer
import VarcoStorageSQLite
import VarcoTesting
import VarcoXML

/// A Varco wired as in production (SQLite, real templates, real keys) on a fixed clock, served
/// in process, plus two registered service providers and a citizen with an authenticator-app credential.
struct ServerHarness {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let spIdentity = try! SelfSignedIdentity.generate(commonName: "sp.test")
    /// A key no registered service has, for signatures that must be refused.
    static let strangerIdentity = try! SelfSignedIdentity.generate(commonName: "stranger.test")
    static let citizen = Citizen(codiceFiscale: try! CodiceFiscale("RSSMRA80A01H501U"), givenName: "Mario", familyName: "Rossi",
                                 dateOfBirth: "1980-01-01", placeOfBirth: "H501", email: "mario.rossi@example.it")
    static let otpID = "8038000030"
    static let password = "Demo-Varco-2026"
    static let secret = try! Base32.decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")

    /// Warnings and errors only: the audit lines of every login would bury the test results.
    static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }

    let clock = FixedClock(Date(timeIntervalSince1970: 1_790_000_000))
    let varco: Varco
    let stores: Stores
    let spKey: XMLSigningKey

    /// `relyingParties` may wrap the registry, e.g. to make it unreachable.
    static func make(upstreamLogout: any UpstreamLogout = NoUpstreamLogout(),
                     relyingParties: (any RelyingPartyStore) -> any RelyingPartyStore = { $0 }) async throws -> ServerHarness {
        let data = try DataDirectory(path: FileManager.default.temporaryDirectory.appendingPathComponent("varco-test-\(UUID())").path)
        let configuration = ServerConfiguration(publicURL: "https://idp.test", dataDirectory: data.path,
                                                templatesDirectory: repositoryRoot.appendingPathComponent("templates").path,
                                                maxLoginAttempts: 3)
        var stores = try SQLiteStorage.inMemory().stores
        stores.relyingParties = relyingParties(stores.relyingParties)
        let pages = try await Pages(directory: configuration.templatesDirectory)
        let harness = ServerHarness(stores: stores, configuration: configuration, pages: pages, data: data,
                                    upstreamLogout: upstreamLogout)
        try await harness.seed()
        return harness
    }

    private init(stores: Stores, configuration: ServerConfiguration, pages: Pages, data: DataDirectory, upstreamLogout: any UpstreamLogout) {
        self.stores = stores
        varco = try! Varco(configuration: configuration, stores: stores, pages: pages, dataDirectory: data, clock: clock,
                           logger: Self.quietLogger, upstreamLogout: upstreamLogout)
        spKey = try! XMLSigningKey(privateKeyPEM: Self.spIdentity.privateKeyPEM, certificatePEM: Self.spIdentity.certificatePEM)
    }

    func seed() async throws {
        try await stores.citizens.save(Self.citizen)
        let hash = try PasswordHasher(parameters: .fastForTests).hash(Self.password)
        try await stores.otpCredentials.insert(OTPCredential(id: Self.otpID, citizen: Self.citizen.codiceFiscale, passwordHash: hash,
                                                             totpSecret: Self.secret, created: clock.now()))
        for sp in ["fse", "bandi"] {
            try await stores.relyingParties.save(RelyingParty(id: entityID(sp), kind: .samlServiceProvider, displayName: sp.uppercased(),
                                                              metadata: metadata(sp), created: clock.now()))
        }
    }

    func entityID(_ sp: String) -> String { "https://\(sp).test/metadata" }
    func acs(_ sp: String) -> String { "https://\(sp).test/acs" }

    func metadata(_ sp: String) -> String {
        """
        <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="\(entityID(sp))">\
        <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="true">\
        <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(spKey.certificateBase64)</ds:X509Certificate>\
        </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
        <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="\(acs(sp))" index="0"/>\
        </md:SPSSODescriptor></md:EntityDescriptor>
        """
    }

    /// A signed AuthnRequest from `sp` as an HTTP-Redirect URI (path + query).
    func ssoURI(_ sp: String, id: String, forceAuthn: Bool = false, level: LevelOfAssurance? = nil, acsURL: String? = nil) throws -> String {
        let context = level.map {
            #"<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>\#($0.uri)</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>"#
        } ?? ""
        let acsAttribute = acsURL.map { #" AssertionConsumerServiceURL="\#($0)""# } ?? ""
        let xml = """
            <samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="\(id)" Version="2.0" IssueInstant="\(SAMLTime.format(clock.now()))" Destination="https://idp.test/sso"\
            \(forceAuthn ? #" ForceAuthn="true""# : "")\(acsAttribute)><saml:Issuer>\(entityID(sp))</saml:Issuer>\(context)</samlp:AuthnRequest>
            """
        let url = try RedirectBinding.encode(xml: xml, relayState: "rs-\(sp)", destination: "https://idp.test/sso", key: spKey)
        return String(url.dropFirst("https://idp.test".count))
    }

    func validator(_ sp: String) -> ResponseValidator {
        ResponseValidator(serviceProvider: entityID(sp), assertionConsumerServiceURL: acs(sp), identityProvider: "https://idp.test/metadata",
                          keys: [try! XMLVerificationKey(certificate: varco.signingKey.certificateBase64)])
    }

    func code(stepOffset: Int64 = 0) -> String {
        let totp = TOTP(secret: Self.secret)
        return totp.code(forStep: totp.step(at: clock.now()) + stepOffset)
    }

    func run(_ test: @Sendable (Browser) async throws -> Void) async throws {
        let app = Application(router: try VarcoServer.router(for: varco))
        try await app.test(.router) { client in try await test(Browser(client: client)) }
    }
}

/// A browser: keeps cookies, reads forms.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var lastSetCookies: [String] = []

    init(client: any TestClientProtocol) { self.client = client }

    @discardableResult
    func get(_ uri: String) async throws -> TestResponse {
        try await send(uri, method: .get, body: nil)
    }

    @discardableResult
    func post(_ uri: String, form: [(String, String)]) async throws -> TestResponse {
        let body = form.map { "\(URLEncodedForm.encode($0.0))=\(URLEncodedForm.encode($0.1))" }.joined(separator: "&")
        return try await send(uri, method: .post, body: body)
    }

    private func send(_ uri: String, method: HTTPRequest.Method, body: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        lastSetCookies = response.headers[values: .setCookie]
        for header in lastSetCookies {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty { cookies.removeValue(forKey: String(pair[0])) } else { cookies[String(pair[0])] = value }
        }
        return response
    }

    static func hidden(_ name: String, in response: TestResponse) -> String? {
        let html = String(buffer: response.body)
        guard let range = html.range(of: #"name="\#(name)" value=""#) else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&#x2B;", with: "+")
            .replacingOccurrences(of: "&#x3D;", with: "=").replacingOccurrences(of: "&#x2F;", with: "/")
            .replacingOccurrences(of: "&#43;", with: "+").replacingOccurrences(of: "&#61;", with: "=")
            .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"") }
    }
}
