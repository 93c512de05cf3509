import Foundation
import Hummingbird
import VarcoCore

/// Who uses the console: the citizen in the `varco_admin` cookie, if that login is fresh enough, at SpidL2 or higher,
/// and holds at least one role now (read from the store at every request).
struct ConsoleUser: Sendable {
    let claims: AdminSessionCookie.Claims
    let roles: Set<AdminRole>
    let csrf: String
    let actor: AdminActor

    var canRead: Bool { roles.contains(where: \.canRead) }
    var canChange: Bool { roles.contains(where: \.canChange) }
}

struct ConsoleGate: Sendable {
    let varco: Varco

    enum Outcome {
        case user(ConsoleUser)
        /// No cookie, or a login older than the maximum age: sign in again.
        case signIn
        /// Signed in, but holds no role that allows this.
        case forbidden(CodiceFiscale?)
    }

    func check(_ request: Request, _ context: VarcoRequestContext) async throws -> Outcome {
        guard let value = request.cookies[AdminSessionCookie.name]?.value,
              let claims = varco.adminCookie.open(value, purpose: "session"), claims.level >= .spidL2,
              claims.auth.addingTimeInterval(varco.configuration.admin.maxAuthenticationAge) > varco.clock.now(),
              claims.auth <= varco.clock.now().addingTimeInterval(60),
              let cf = try? CodiceFiscale(claims.cf) else { return .signIn }
        let roles = try await varco.stores.administration.roles(of: cf)
        guard roles.contains(where: \.canRead) else { return .forbidden(cf) }
        return .user(ConsoleUser(claims: claims, roles: roles, csrf: varco.adminCookie.csrf(claims),
                                 actor: AdminActor(name: "admin:\(cf.value)", client: context.clientAddress)))
    }
}
