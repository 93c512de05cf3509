/// Failures of a storage backend, the same for every backend.
public enum StoreError: Error, Equatable, Sendable {
    /// The record to update does not exist.
    case notFound
    /// A record with this key already exists.
    case duplicate
    /// The backend failed; the message says what to check (disk, permissions, connection).
    case backend(String)
    /// The backend cannot be reached now (connection lost, database failover, a read-only server): nothing was
    /// written, or the outcome is unknown. The request should fail with "try again later"; a later one may work.
    case unavailable(String)
}
