import Foundation
import VarcoCore

/// The console as a relying party of Varco's own login engine: `/admin/login` starts a transaction (fresh
/// authentication at SpidL2 or higher), and its answer is a redirect carrying a one-time ticket, sealed, short-lived and
/// bound to the browser that started the login, which `/admin/callback` turns into the console's cookie.
struct AdminLoginProtocol: LoginProtocol {
    static let relyingParty = "varco-admin"
    static let ticketLifetime: TimeInterval = 120
    let name = "admin"
    let cookie: AdminSessionCookie
    let clock: any WallClock
    let random: any RandomSource

    static let requirement = LoginRequirement(acceptableLevels: [.spidL2, .spidL3], forceAuthn: true)

    func answer(_ transaction: LoginTransaction, result: AuthnResult, session: SSOSession) async throws -> (ProtocolAnswer, ServiceVisit) {
        let claims = AdminSessionCookie.Claims(cf: result.citizen.value, level: result.level, auth: result.instant,
                                               nonce: random.token(byteCount: 16), browser: transaction.browserBinding)
        let ticket = cookie.seal(claims, purpose: "ticket")
        let visit = ServiceVisit(relyingParty: Self.relyingParty, protocolName: name, nameID: "", nameIDFormat: "", sessionIndex: "",
                                 instant: clock.now())
        return (.redirect("/admin/callback?ticket=\(ticket)"), visit)
    }

    func answer(_ transaction: LoginTransaction, failure: LoginFailure) async throws -> ProtocolAnswer {
        .redirect("/admin/?accesso=non-riuscito")
    }
}
