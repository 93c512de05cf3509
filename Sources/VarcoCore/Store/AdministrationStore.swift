import Foundation

/// Role grants and API tokens of the administration.
public protocol AdministrationStore: Sendable {
    /// Grants a role; granting one already held changes nothing and returns false.
    func grant(_ grant: RoleGrant) async throws -> Bool
    /// Returns false if the citizen did not hold the role.
    func revoke(_ codiceFiscale: CodiceFiscale, role: AdminRole) async throws -> Bool
    /// The roles held by a citizen.
    func roles(of codiceFiscale: CodiceFiscale) async throws -> Set<AdminRole>
    /// Every grant, ordered by codice fiscale then role.
    func grants() async throws -> [RoleGrant]

    /// Throws `StoreError.duplicate` if the id is taken.
    func insert(_ token: APIToken) async throws
    func findToken(hash: String) async throws -> APIToken?
    /// Every token (revoked and expired included), newest first.
    func tokens() async throws -> [APIToken]
    /// Marks the token revoked at `at`; returns false if there is no such token or it was already revoked.
    func revokeToken(id: String, at: Date) async throws -> Bool
}
