import Foundation
import VarcoCore

/// Command-line administration of roles (`varco admin grant|revoke|list`) and API tokens (`varco admin-token`).
extension Administration {
    var access: AccessAdmin { AccessAdmin(stores: stores, clock: clock, random: random, actor: .commandLine) }

    /// A line per grant or token, for the command line.
    public struct Listing: Sendable {
        public let lines: [String]
    }

    public func grantRole(codiceFiscale: String, role: String) async throws {
        do { _ = try await access.grant(codiceFiscale, role: role) } catch let failure as AdminFailure { throw Failure(failure.description) }
    }

    public func revokeRole(codiceFiscale: String, role: String) async throws {
        do { try await access.revoke(codiceFiscale, role: role) } catch let failure as AdminFailure { throw Failure(failure.description) }
    }

    public func roleGrants() async throws -> Listing {
        Listing(lines: try await stores.administration.grants().map {
            "\($0.codiceFiscale.value)\t\($0.role.rawValue)\t\($0.grantedBy)\t\(ISO8601DateFormatter().string(from: $0.granted))"
        })
    }

    /// A new API token (stored hashed in the database, scoped to a role, expiring): printed once.
    public func addAdminToken(name: String, role: String = "admin", lifetimeDays: Int = 90) async throws -> String {
        do {
            return try await access.issueToken(name: name, role: role, lifetimeDays: lifetimeDays).secret
        } catch let failure as AdminFailure {
            throw Failure(failure.description)
        }
    }

    public func adminTokens() async throws -> Listing {
        let now = clock.now()
        return Listing(lines: try await stores.administration.tokens().map {
            "\($0.id)\t\($0.name)\t\($0.role.rawValue)\t\($0.isValid(at: now) ? "active" : ($0.revoked == nil ? "expired" : "revoked"))\t"
                + "expires \(ISO8601DateFormatter().string(from: $0.expires))"
        })
    }

    public func revokeAdminToken(id: String) async throws {
        do { try await access.revokeToken(id: id) } catch let failure as AdminFailure { throw Failure(failure.description) }
    }
}
