import PostgresNIO
import VarcoCore

extension PostgresBackend {
    /// Turns a failure into what the stores promise: `StoreError`s and caller errors pass through, a lost or
    /// read-only server becomes `StoreError.unavailable`, anything else `StoreError.backend` with advice.
    func translate(_ error: any Error, action: String, host index: Int) -> any Error {
        let host = settings.hosts[index]
        switch error {
        case let error as StoreError:
            return error
        case let error as CallerError:
            return error.underlying
        case is CancellationError:
            return error
        case is DeadlinePassed:
            forget(index)
            return StoreError.unavailable("PostgreSQL at \(host): cannot \(action): no answer within \(settings.operationTimeout)")
        case let error as PSQLError where error.code == .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            if state == "23505" { return StoreError.duplicate }
            if Self.unavailableStates.contains(state) || state.hasPrefix("08") {
                forget(index)
                return StoreError.unavailable("PostgreSQL at \(host): cannot \(action): \(message) (SQLSTATE \(state))")
            }
            return StoreError.backend("""
                PostgreSQL at \(host): cannot \(action): \(message) (SQLSTATE \(state)). \
                Check that the database was migrated by this version of Varco and that the user may write to it.
                """)
        case let error as PSQLError:
            forget(index)
            return StoreError.unavailable("PostgreSQL at \(host): cannot \(action): \(Self.describe(error))")
        case is DecodingError, is EncodingError, is PostgresDecodingError:
            return StoreError.backend("""
                PostgreSQL at \(host): cannot \(action): a stored record does not match this version of Varco (\(error)).
                """)
        default:
            forget(index)
            return StoreError.unavailable("PostgreSQL at \(host): cannot \(action): \(Self.describe(error))")
        }
    }

    /// read-only transaction, admin/crash shutdown, cannot connect now, too many connections, serialization.
    private static let unavailableStates: Set<String> = ["25006", "57P01", "57P02", "57P03", "53300", "40001", "40P01"]

    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
