import Foundation
import VarcoCore

/// Role grants and API tokens kept in memory, for tests. Each call runs alone on the actor.
public actor InMemoryAdministrationStore: AdministrationStore {
    private var roleGrants: [String: RoleGrant] = [:]
    private var apiTokens: [String: APIToken] = [:]

    public init() {}

    private static func key(_ cf: CodiceFiscale, _ role: AdminRole) -> String { cf.value + "/" + role.rawValue }

    public func grant(_ grant: RoleGrant) -> Bool {
        let key = Self.key(grant.codiceFiscale, grant.role)
        guard roleGrants[key] == nil else { return false }
        roleGrants[key] = grant
        return true
    }

    public func revoke(_ codiceFiscale: CodiceFiscale, role: AdminRole) -> Bool {
        roleGrants.removeValue(forKey: Self.key(codiceFiscale, role)) != nil
    }

    public func roles(of codiceFiscale: CodiceFiscale) -> Set<AdminRole> {
        Set(roleGrants.values.filter { $0.codiceFiscale == codiceFiscale }.map(\.role))
    }

    public func grants() -> [RoleGrant] {
        roleGrants.values.sorted { ($0.codiceFiscale.value, $0.role.rawValue) < ($1.codiceFiscale.value, $1.role.rawValue) }
    }

    public func insert(_ token: APIToken) throws {
        guard apiTokens[token.id] == nil, !apiTokens.values.contains(where: { $0.tokenHash == token.tokenHash }) else {
            throw StoreError.duplicate
        }
        apiTokens[token.id] = token
    }

    public func findToken(hash: String) -> APIToken? { apiTokens.values.first { $0.tokenHash == hash } }

    public func tokens() -> [APIToken] {
        apiTokens.values.sorted { ($0.created, $1.id) > ($1.created, $0.id) }
    }

    public func revokeToken(id: String, at: Date) -> Bool {
        guard var token = apiTokens[id], token.revoked == nil else { return false }
        token.revoked = at
        apiTokens[id] = token
        return true
    }
}
