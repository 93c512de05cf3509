import GRDB
import VarcoCore

/// The connection every store shares, and the one place where errors become `StoreError`s.
struct SQLiteDatabase: Sendable {
    let writer: any DatabaseWriter
    /// Where the data lives, named in error messages: a file path or "in-memory database".
    let location: String

    /// Runs `body` on a read-only snapshot. `action` says what was attempted, for error messages.
    func read<T: Sendable>(_ action: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw Self.translate(error, action: action, location: location)
        }
    }

    /// Runs `body` inside one write transaction, rolled back if it throws.
    func write<T: Sendable>(_ action: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch {
            throw Self.translate(error, action: action, location: location)
        }
    }

    /// Turns a failure into what the stores promise: `StoreError`s and caller errors pass through,
    /// SQLite and JSON failures become `StoreError.backend` with advice for the operator.
    static func translate(_ error: any Error, action: String, location: String) -> any Error {
        switch error {
        case let error as StoreError:
            return error
        case let error as CallerError:
            return error.underlying
        case let error as DatabaseError:
            let detail = error.message ?? "\(error.resultCode)"
            let message = """
                SQLite storage at \(location): cannot \(action): \(detail) \
                (code \(error.extendedResultCode.rawValue)). \(advice(for: error.resultCode))
                """
            // A full disk or a failing device: the transaction was rolled back and a later request may work
            // once the operator has acted, so the citizen is told to try again (503), not that Varco broke.
            switch error.resultCode {
            case .SQLITE_FULL, .SQLITE_IOERR: return StoreError.unavailable(message)
            default: return StoreError.backend(message)
            }
        case is DecodingError, is EncodingError:
            return StoreError.backend("""
                SQLite storage at \(location): cannot \(action): a stored record does not match this \
                version of Varco (\(error)). Check that the database was written by a compatible version.
                """)
        default:
            return error  // CancellationError and the like keep their meaning.
        }
    }

    private static func advice(for code: ResultCode) -> String {
        switch code {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            "Another process holds the database lock: check for a second Varco instance or a long-running admin or backup command on this file."
        case .SQLITE_FULL:
            "The disk is full: free space on the volume holding the database."
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN, .SQLITE_AUTH:
            "Check that the file and its directory exist and are readable and writable by the Varco user."
        case .SQLITE_IOERR:
            "The operating system reported an I/O error: check the disk and the file system."
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            "The file is damaged or is not a Varco database: check the configured path, or restore from a backup."
        default:
            "Check the database file, its directory and the disk."
        }
    }
}

/// Carries an error thrown by a caller's closure out of the transaction, so that it reaches
/// the caller unchanged instead of being taken for a database failure.
struct CallerError: Error {
    let underlying: any Error
}
