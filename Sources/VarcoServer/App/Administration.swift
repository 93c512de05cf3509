import Foundation
import VarcoCore
import VarcoOTP
import Logging
import VarcoSAML
import VarcoStoragePostgres
import VarcoStorageSQLite
import VarcoXML

/// What the command line does to a data directory: print metadata, register services and citizens.
/// Each failure says what to do about it.
public struct Administration: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    let data: DataDirectory
    let stores: Stores
    let clock: any WallClock = SystemWallClock()
    let random: any RandomSource = SystemRandomSource()

    /// Works on the SQLite database of the data directory, or on the PostgreSQL database named by the environment
    /// variable `VARCO_DATABASE` (the connection string `varco serve --database` takes; `serve` creates the schema).
    public init(dataDirectory: String) throws {
        data = try DataDirectory(path: dataDirectory)
        if let url = ProcessInfo.processInfo.environment["VARCO_DATABASE"], !url.isEmpty {
            let storage = try PostgresStorage(url: url, logger: Logger(label: "varco"))
            // The pools live as long as this command, which ends with the process.
            Task { await storage.run() }
            stores = storage.stores
        } else {
            stores = try SQLiteStorage(path: data.databasePath).stores
        }
    }

    /// Over stores already open (the server's).
    init(data: DataDirectory, stores: Stores) {
        self.data = data
        self.stores = stores
    }

    /// The signed IdP metadata for the given public URL.
    public func metadata(configuration: ServerConfiguration) throws -> String {
        let keys = try SigningKeyRing.Files(of: data, commonName: configuration.keyCommonName)
        return try configuration.identityProviderMetadata(signingCertificates: keys.samlCertificates)
            .signed(with: keys.saml, id: random.xmlID(), now: clock.now())
    }

    /// Registers (or replaces) a SAML service provider from its metadata; returns its entityID.
    public func addServiceProvider(metadataXML: String, displayName: String?, settings: RelyingPartySettings = .init()) async throws -> String {
        let metadata: ServiceProviderMetadata
        do { metadata = try ServiceProviderMetadata(xml: metadataXML) } catch {
            throw Failure("the file is not usable SAML service-provider metadata (\(error)); it needs an EntityDescriptor with an SPSSODescriptor and an https AssertionConsumerService")
        }
        if metadata.signingCertificates.isEmpty && (metadata.authnRequestsSigned || settings.requireSignedRequests) {
            throw Failure("the metadata says requests are signed but has no signing certificate (KeyDescriptor use=\"signing\")")
        }
        if settings.encryptAssertion {
            let problems = SAMLMetadataCheck(allowLoopbackHTTP: true, now: clock.now()).encryptionProblems(metadata)
            if !problems.isEmpty { throw Failure(problems.map(\.detail).joined(separator: " ")) }
        }
        let name = displayName ?? metadata.organizationName ?? metadata.entityID
        let existing = try await stores.relyingParties.find(id: metadata.entityID)
        try await stores.relyingParties.save(RelyingParty(id: metadata.entityID, kind: .samlServiceProvider, displayName: name,
                                                          metadata: metadataXML, settings: settings,
                                                          created: existing?.created ?? clock.now(), version: (existing?.version ?? 0) + 1))
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .relyingPartyAdded, subject: "cli",
                                                 relyingParty: metadata.entityID, detail: existing == nil ? "registered" : "metadata replaced"))
        return metadata.entityID
    }

    public func serviceProviders() async throws -> [RelyingParty] {
        try await stores.relyingParties.list()
    }

    public func removeServiceProvider(_ entityID: String) async throws {
        guard try await stores.relyingParties.remove(id: entityID) else {
            throw Failure("no service provider is registered as \(entityID); `varco sp list` shows the registered ones")
        }
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .relyingPartyRemoved, subject: "cli",
                                                 relyingParty: entityID, detail: "removed"))
    }

    /// Adds a citizen and, optionally, an authenticator-app OTP credential.
    public func addCitizen(_ citizen: Citizen, otpID: String?, password: String?, totpSecret: String?) async throws {
        try await stores.citizens.save(citizen)
        guard let otpID else { return }
        guard otpID.count == 10, otpID.allSatisfy(\.isASCII), otpID.allSatisfy(\.isNumber) else {
            throw Failure("--otp-id must be the 10 digits printed on the health card")
        }
        guard let password, password.count >= 8 else { throw Failure("--password must have at least 8 characters") }
        guard let totpSecret, let secret = try? Base32.decode(totpSecret), secret.count >= 10 else {
            throw Failure("--totp-secret must be a base32 secret of at least 16 characters")
        }
        let credential = OTPCredential(id: otpID, citizen: citizen.codiceFiscale, passwordHash: try PasswordHasher(random: random).hash(password),
                                       totpSecret: secret, status: .active, created: clock.now())
        do { try await stores.otpCredentials.insert(credential) } catch StoreError.duplicate {
            throw Failure("the OTP ID \(otpID) is already in use")
        }
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: .credentialIssued, subject: citizen.codiceFiscale.value,
                                                 detail: "authenticator-app credential \(otpID) created from the command line"))
    }
}
