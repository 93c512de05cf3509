import Foundation
import Hummingbird
import VarcoCore

/// Signing in to the console through Varco's own login: `GET /admin/login` starts a login that asks for a fresh proof
/// at SpidL2 or higher; `GET /admin/callback` turns the one-time ticket into the `varco_admin` cookie (path `/admin`);
/// `POST /admin/logout` removes it.
struct AdminLoginRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/admin/login") { request, _ -> Response in
            let browser = BrowserBinding(request, random: varco.random)
            let step = try await varco.engine.begin(relyingParty: AdminLoginProtocol.relyingParty, protocolName: "admin", state: Data(),
                                                    requirement: AdminLoginProtocol.requirement, browser: browser.value,
                                                    sessionCookie: request.cookies[CookieNames.session]?.value)
            var response = try await StepRenderer(varco: varco).response(step, language: request.language)
            browser.apply(to: &response)
            return response
        }
        router.get("/admin/callback") { request, context -> Response in
            guard let ticket = request.uri.queryParameters["ticket"].map(String.init),
                  var claims = varco.adminCookie.open(ticket, purpose: "ticket"),
                  let browser = request.cookies[CookieNames.browser]?.value, let bound = claims.browser,
                  ConstantTime.equal(browser, bound),
                  claims.auth.addingTimeInterval(AdminLoginProtocol.ticketLifetime) > varco.clock.now(),
                  try await varco.stores.replay.consume("admin-ticket:" + claims.nonce,
                                                        expires: claims.auth.addingTimeInterval(AdminLoginProtocol.ticketLifetime),
                                                        now: varco.clock.now()) else {
                await varco.auditor.record(.adminRefused, detail: "console: unknown, expired, replayed or foreign login ticket",
                                           client: context.clientAddress)
                return HTML.redirect(to: "/admin/?accesso=scaduto")
            }
            let cf = try CodiceFiscale(claims.cf)
            let roles = try await varco.stores.administration.roles(of: cf)
            guard !roles.isEmpty else {
                await varco.auditor.record(.adminRefused, subject: cf.value, detail: "console: signed in without any administration role",
                                           client: context.clientAddress)
                return HTML.redirect(to: "/admin/?accesso=nessun-ruolo")
            }
            claims.browser = nil
            await varco.auditor.record(.adminSignedIn, subject: cf.value,
                                       detail: "console sign-in (\(roles.map(\.rawValue).sorted().joined(separator: ", ")))",
                                       client: context.clientAddress)
            var response = HTML.redirect(to: "/admin/")
            response.setCookie(AdminSessionCookie.cookie(varco.adminCookie.seal(claims, purpose: "session")))
            return response
        }
        router.post("/admin/logout") { _, _ -> Response in
            var response = HTML.redirect(to: "/admin/?accesso=uscito")
            response.setCookie(AdminSessionCookie.clear())
            return response
        }
    }
}
