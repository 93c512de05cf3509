import VarcoCore

/// An `OTPCredentialStore` kept in memory, for tests. Each call runs alone on the actor, so an
/// `update` is atomic like a database transaction.
public actor InMemoryOTPCredentialStore: OTPCredentialStore {
    private var credentials: [String: OTPCredential]

    public init(_ credentials: [OTPCredential] = []) {
        self.credentials = Dictionary(credentials.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    public func insert(_ credential: OTPCredential) throws {
        guard credentials[credential.id] == nil else { throw StoreError.duplicate }
        credentials[credential.id] = credential
    }

    public func find(id: String) -> OTPCredential? {
        credentials[id]
    }

    /// The citizen's credentials, ordered by ID.
    public func find(citizen: CodiceFiscale) -> [OTPCredential] {
        credentials.values.filter { $0.citizen == citizen }.sorted { $0.id < $1.id }
    }

    @discardableResult
    public func update(id: String, _ change: @Sendable (inout OTPCredential) throws -> Void) throws -> OTPCredential {
        guard var credential = credentials[id] else { throw StoreError.notFound }
        try change(&credential)
        credentials[id] = credential
        return credential
    }
}
