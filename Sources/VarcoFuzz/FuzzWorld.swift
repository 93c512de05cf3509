import Foundation
import VarcoCore
import VarcoOIDC
import VarcoSAML
import VarcoStorageSQLite
import VarcoTesting
import VarcoXML

/// What every fuzz target runs against: an identity provider on an in-memory store and a clock that stands
/// still, with one registered SAML service provider and one OIDC client. Built once per process.
struct FuzzWorld: Sendable {
    static let spEntityID = "https://sp.fuzz.test/metadata"
    static let acs = "https://sp.fuzz.test/acs"
    static let clientID = "fuzz-client"
    static let clientSecret = "fuzz-secret-with-enough-entropy-0001"
    static let redirectURI = "https://rp.fuzz.test/cb"

    let clock: FixedClock
    let receiver: AuthnRequestReceiver
    let provider: OIDCProvider
    /// A service provider's encryption key pair, for `encrypted-data`.
    let encryptionCertificate: XMLEncryptionCertificate
    let decryptionKey: XMLDecryptionKey

    static let shared: FuzzWorld = wait { try! await FuzzWorld() }

    private init() async throws {
        clock = FixedClock()
        var stores = try SQLiteStorage.inMemory().stores
        stores.replay = Forgetful()
        let spIdentity = try SelfSignedIdentity.generate(commonName: "sp.fuzz.test")
        try await stores.relyingParties.save(RelyingParty(
            id: Self.spEntityID, kind: .samlServiceProvider, displayName: "SP",
            metadata: Self.serviceProviderMetadata(certificatePEM: spIdentity.certificatePEM), created: clock.now()))
        let registration = ClientRegistration(clientID: Self.clientID, clientName: "RP", redirectURIs: [Self.redirectURI],
                                              tokenEndpointAuthMethod: .clientSecretBasic,
                                              clientSecretSHA256: ClientRegistration.hashSecret(Self.clientSecret))
        try await stores.relyingParties.save(RelyingParty(id: Self.clientID, kind: .oidcClient, displayName: "RP",
                                                          metadata: registration.json, created: clock.now()))
        receiver = AuthnRequestReceiver(
            configuration: IdentityProviderConfiguration(entityID: "https://idp.fuzz.test/metadata", ssoURL: "https://idp.fuzz.test/sso",
                                                         pairwiseSecret: Array(repeating: 7, count: 32)),
            relyingParties: stores.relyingParties, replay: stores.replay, clock: clock)
        let keys = try SigningKeys(rsaPrivateKeyPEM: SigningKeys.generateRSAPrivateKeyPEM(),
                                   ecPrivateKeyPEM: SigningKeys.generateECPrivateKeyPEM())
        let encryption = try SelfSignedIdentity.generate(commonName: "encryption.sp.fuzz.test")
        encryptionCertificate = try XMLEncryptionCertificate(certificate: encryption.certificatePEM)
        decryptionKey = try XMLDecryptionKey(privateKeyPEM: encryption.privateKeyPEM)
        provider = OIDCProvider(configuration: OIDCConfiguration(issuer: "https://idp.fuzz.test", pairwiseSecret: Array(repeating: 7, count: 32)),
                                keys: keys, stores: stores, clock: clock, random: SystemRandomSource())
    }

    /// Unsigned requests are accepted from this provider, so that a mutated request reaches every check
    /// after the signature step; a request that carries a signature still has it verified.
    static func serviceProviderMetadata(certificatePEM: String) -> String {
        let certificate = certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return """
            <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" \
            entityID="\(spEntityID)"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" \
            AuthnRequestsSigned="false"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(certificate)\
            </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
            <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="\(acs)" index="1" isDefault="true"/>\
            </md:SPSSODescriptor></md:EntityDescriptor>
            """
    }

    /// Every message is new to it: the fuzzer repeats IDs, and a replay cache that remembered them would
    /// both stop mutated requests at the replay check and grow without bound.
    private struct Forgetful: ReplayCache {
        func consume(_ key: String, expires: Date, now: Date) -> Bool { true }
    }

    /// Runs async work to completion from synchronous code, as libFuzzer's callback must.
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = Box<T>()
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }

    /// Written once by the task before the semaphore is signalled, read once after.
    private final class Box<T>: @unchecked Sendable { var value: T? }
}
