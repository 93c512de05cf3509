import Foundation
import VarcoCore
import VarcoOTP

/// Roles granted to citizens and API tokens: granting, revoking, issuing (shown once), checking.
struct AccessAdmin: Sendable {
    let stores: Stores
    let clock: any WallClock
    let random: any RandomSource
    let actor: AdminActor

    static let longestTokenLife: TimeInterval = 366 * 86400

    func grant(_ cf: String, role: String) async throws -> RoleGrant {
        let (codiceFiscale, role) = try Self.parse(cf, role)
        let grant = RoleGrant(codiceFiscale: codiceFiscale, role: role, grantedBy: actor.name, granted: clock.now())
        guard try await stores.administration.grant(grant) else {
            throw AdminFailure(.conflict, code: "role-held", "\(codiceFiscale.value) already holds the role \(role.rawValue).")
        }
        try await audit(.roleGranted, subject: codiceFiscale.value, "role \(role.rawValue) granted", before: nil, after: AuditJSON.of(grant))
        return grant
    }

    func revoke(_ cf: String, role: String) async throws {
        let (codiceFiscale, role) = try Self.parse(cf, role)
        guard try await stores.administration.revoke(codiceFiscale, role: role) else {
            throw AdminFailure(.notFound, code: "role-not-held", "\(codiceFiscale.value) does not hold the role \(role.rawValue).")
        }
        try await audit(.roleRevoked, subject: codiceFiscale.value, "role \(role.rawValue) revoked",
                        before: AuditJSON.of(["codiceFiscale": codiceFiscale.value, "role": role.rawValue]), after: nil)
    }

    /// A new API token; the returned secret is shown once and only its SHA-256 is stored.
    func issueToken(name: String, role: String, lifetimeDays: Int) async throws -> (token: APIToken, secret: String) {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_. ".contains($0) }) else {
            throw AdminFailure(.invalid, code: "token-name", "The token name must be 1-64 letters, digits, spaces, '-', '_' or '.'.")
        }
        guard let role = AdminRole(rawValue: role) else { throw Self.unknownRole(role) }
        guard (1...366).contains(lifetimeDays) else {
            throw AdminFailure(.invalid, code: "token-lifetime", "A token lives 1 to 366 days: choose a number of days in that range.")
        }
        let secret = "varco_" + random.token()
        let now = clock.now()
        let token = APIToken(id: random.token(byteCount: 9), name: name, role: role, tokenHash: SHA256Hex.of(secret), created: now,
                             expires: now.addingTimeInterval(Double(lifetimeDays) * 86400), createdBy: actor.name)
        try await stores.administration.insert(token)
        var shown = token
        shown.tokenHash = "(hashed)"
        try await audit(.apiTokenCreated, subject: nil, "API token \(name) (\(role.rawValue)) created", before: nil, after: AuditJSON.of(shown))
        return (token, secret)
    }

    func revokeToken(id: String) async throws {
        guard id.utf8.count <= 64, try await stores.administration.revokeToken(id: id, at: clock.now()) else {
            throw AdminFailure(.notFound, code: "token-not-found", "No active API token has the id \(id): the token list shows them.")
        }
        try await audit(.apiTokenRevoked, subject: nil, "API token \(id) revoked", before: nil, after: nil)
    }

    /// The token a bearer secret belongs to, if it is valid now.
    func token(forSecret secret: String) async throws -> APIToken? {
        guard secret.hasPrefix("varco_"), secret.utf8.count <= 128 else { return nil }
        guard let token = try await stores.administration.findToken(hash: SHA256Hex.of(secret)), token.isValid(at: clock.now()) else {
            return nil
        }
        return token
    }

    static func parse(_ cf: String, _ role: String) throws -> (CodiceFiscale, AdminRole) {
        guard let codiceFiscale = try? CodiceFiscale(cf.trimmingCharacters(in: .whitespaces).uppercased()) else {
            throw AdminFailure(.invalid, code: "codice-fiscale", "\(cf) is not a valid codice fiscale: check the 16 characters.")
        }
        guard let role = AdminRole(rawValue: role) else { throw unknownRole(role) }
        return (codiceFiscale, role)
    }

    static func unknownRole(_ role: String) -> AdminFailure {
        AdminFailure(.invalid, code: "role", "\(role) is not a role: use admin, operator or auditor.")
    }

    private func audit(_ kind: AuditEvent.Kind, subject: String?, _ detail: String, before: String?, after: String?) async throws {
        try await stores.audit.append(AuditEvent(time: clock.now(), kind: kind, subject: subject ?? actor.name, detail: detail,
                                                 clientAddress: actor.client, actor: actor.name, before: before, after: after))
    }
}
