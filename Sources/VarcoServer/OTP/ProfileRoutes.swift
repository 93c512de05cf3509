import Foundation
import Hummingbird
import VarcoCore
import VarcoOTP
import VarcoXML

/// The citizen's profile, reached with the SSO session cookie after a login at level SpidL2 or higher:
/// - `GET /profilo` last access, recent history, the OTP credentials;
/// - `POST /profilo/app` starts the enrollment of an authenticator app (QR code), `/profilo/app/confirm` confirms it
///   with a first code and shows the 10 recovery codes once, `/profilo/app/remove` removes the app;
/// - `POST /profilo/password` changes the password; `POST /profilo/deactivate` deactivates the OTP credentials.
/// Every form carries a CSRF token bound to the session. Without a session the page invites to sign in.
struct ProfileRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/profilo") { request, _ -> Response in
            guard let session = try await session(request) else { return signIn(request) }
            var page = try await profile(session, request.language)
            if request.uri.queryParameters["fatto"] != nil { page.notice = m("profile_saved", request.language) }
            return render(page, request)
        }
        router.post("/profilo/app") { request, context -> Response in
            try await action(request) { session, credential, fields in
                let enrollment = try await varco.otp.startAppEnrollment(id: credential.id)
                var page = try await profile(session, request.language)
                page.enrollment = try Self.enrollmentModel(enrollment)
                return render(page, request)
            }
        }
        router.post("/profilo/app/confirm") { request, context -> Response in
            try await action(request) { session, credential, fields in
                do {
                    let codes = try await varco.otp.confirmAppEnrollment(id: credential.id, code: fields["code"] ?? "",
                                                                         client: context.clientAddress)
                    var page = try await profile(session, request.language)
                    page.recoveryCodes = codes
                    page.notice = m("profile_app_enrolled", request.language)
                    return render(page, request)
                } catch let refusal as RegionalOTP.Refusal {
                    var page = try await profile(session, request.language)
                    if let pending = try await varco.otp.pendingAppEnrollment(id: credential.id) {
                        page.enrollment = try Self.enrollmentModel(pending)
                    }
                    page.error = m(refusal == .missingInput ? "profile_app_code_missing" : "profile_app_code_wrong", request.language)
                    return render(page, request, status: .unprocessableContent)
                }
            }
        }
        router.post("/profilo/app/remove") { request, context -> Response in
            try await action(request) { _, credential, _ in
                try await varco.otp.removeApp(id: credential.id, by: nil, client: context.clientAddress)
                return HTML.redirect(to: "/profilo?fatto=1")
            }
        }
        router.post("/profilo/password") { request, context -> Response in
            try await action(request) { session, credential, fields in
                do {
                    try await varco.otp.changePassword(id: credential.id, current: fields["current_password"] ?? "",
                                                       new: fields["new_password"] ?? "", confirmation: fields["confirm_password"] ?? "",
                                                       client: context.clientAddress)
                    return HTML.redirect(to: "/profilo?fatto=1")
                } catch let refusal as RegionalOTP.Refusal {
                    var page = try await profile(session, request.language)
                    switch refusal {
                    case .weakPassword(let violations):
                        page.error = m("otp_pw_title", request.language)
                        page.passwordProblems = violations.map { m($0.messageKey, request.language) }
                    case .locked: page.error = m("otp_error_locked", request.language)
                    case .missingInput: page.error = m("profile_password_missing", request.language)
                    default: page.error = m("profile_password_wrong", request.language)
                    }
                    return render(page, request, status: .unprocessableContent)
                }
            }
        }
        router.post("/profilo/deactivate") { request, context -> Response in
            try await action(request) { session, credential, fields in
                guard fields["confirm"] == "1" else {
                    var page = try await profile(session, request.language)
                    page.error = m("profile_deactivate_confirm_missing", request.language)
                    return render(page, request, status: .unprocessableContent)
                }
                try await varco.otp.deactivate(id: credential.id, by: nil, client: context.clientAddress)
                return HTML.redirect(to: "/profilo?fatto=1")
            }
        }
    }

    // MARK: Plumbing

    private func m(_ key: String, _ language: Language) -> String { varco.pages.message(key, language) }

    /// The live session, if it proved at least SpidL2.
    private func session(_ request: Request) async throws -> SSOSession? {
        guard let session = try await varco.engine.sessions.current(request.cookies[CookieNames.session]?.value),
              session.level >= .spidL2 else { return nil }
        return session
    }

    /// The CSRF token of the profile forms: bound to the session, unknown to anyone without its cookie.
    static func csrf(_ session: SSOSession) -> String { SHA256Hex.of("varco-profile-csrf:" + session.id) }

    /// A POST: needs the session, its CSRF token and an OTP ID that belongs to the session's citizen.
    private func action(_ request: Request, _ body: (SSOSession, OTPCredential, URLEncodedForm) async throws -> Response) async throws -> Response {
        guard let session = try await session(request) else { return signIn(request, status: .unauthorized) }
        let fields = try await request.form(limit: 16 * 1024)
        guard ConstantTime.equal(fields["csrf"] ?? "", Self.csrf(session)) else {
            throw WebError(.forbidden, "error_badRequest", detail: "profile form without the session's CSRF token")
        }
        let id = (fields["otp_id"] ?? "").filter { !$0.isWhitespace }
        guard let credential = try await varco.stores.otpCredentials.find(id: id), credential.citizen == session.citizen else {
            throw WebError(.forbidden, "error_badRequest", detail: "profile form for an OTP credential of another citizen")
        }
        return try await body(session, credential, fields)
    }

    private func signIn(_ request: Request, status: HTTPResponse.Status = .ok) -> Response {
        HTML.response(varco.pages.render("profile", language: request.language, model: ProfilePage(signedIn: false)), status: status)
    }

    private func render(_ page: ProfilePage, _ request: Request, status: HTTPResponse.Status = .ok) -> Response {
        HTML.response(varco.pages.render("profile", language: request.language, model: page), status: status)
    }

    static func enrollmentModel(_ enrollment: AppEnrollment) throws -> ProfilePage.Enrollment {
        ProfilePage.Enrollment(id: enrollment.id, qrDataURL: try QRCode.svgDataURL(enrollment.uri),
                               secret: enrollment.secretBase32.enumerated().map { ($0.offset > 0 && $0.offset % 4 == 0 ? " " : "") + String($0.element) }.joined(),
                               uri: enrollment.uri)
    }

    static func dayAndTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "it_IT")
        formatter.timeZone = TimeZone(identifier: "Europe/Rome")
        formatter.dateFormat = "dd/MM/yyyy HH:mm"
        return formatter.string(from: date)
    }

    /// The page of a signed-in citizen: name, last access, recent history, credentials.
    private func profile(_ session: SSOSession, _ language: Language) async throws -> ProfilePage {
        let citizen = try await varco.stores.citizens.find(session.citizen)
        let credentials = try await varco.stores.otpCredentials.find(citizen: session.citizen)
        let events = try await varco.stores.audit.recent(subjects: [session.citizen.value] + credentials.map(\.id), limit: 50)
        var page = ProfilePage(signedIn: true)
        page.name = citizen.map { "\($0.givenName) \($0.familyName)" } ?? session.citizen.value
        page.codiceFiscale = session.citizen.value
        page.csrf = Self.csrf(session)
        // "Ultimo accesso" is the access before this session's own login, as the regional portals show it.
        let logins = events.filter { $0.kind == .loginSucceeded }
        let previous = logins.first { $0.time < session.authInstant.addingTimeInterval(-1) } ?? logins.first
        page.lastAccess = previous.map { Self.dayAndTime($0.time) } ?? Self.dayAndTime(session.authInstant)
        page.history = events.prefix(10).map { ProfilePage.Event(time: Self.dayAndTime($0.time), what: m(Self.eventKey($0.kind), language)) }
        page.credentials = credentials.map { credential in
            let off = credential.deactivated != nil || credential.status == .disabled
            return ProfilePage.Credential(id: credential.id, active: credential.status == .active && !off, deactivated: off,
                                          pendingFirstAccess: credential.status == .pendingFirstAccess,
                                          hasApp: !(credential.totpSecret ?? []).isEmpty,
                                          recoveryCodesLeft: (credential.recoveryCodeHashes ?? []).count)
        }
        page.allDeactivated = !credentials.isEmpty && page.credentials.allSatisfy(\.deactivated)
        page.hasCredentials = !credentials.isEmpty
        return page
    }

    static func eventKey(_ kind: AuditEvent.Kind) -> String {
        switch kind {
        case .loginSucceeded: "profile_event_login"
        case .loginFailed: "profile_event_login_failed"
        case .credentialLocked: "profile_event_locked"
        case .credentialIssued: "profile_event_issued"
        case .otpFirstAccess: "profile_event_first_access"
        case .otpPasswordChanged, .otpPasswordReset: "profile_event_password"
        case .otpAppEnrolled: "profile_event_app_enrolled"
        case .otpAppRemoved: "profile_event_app_removed"
        case .otpCredentialDeactivated: "profile_event_deactivated"
        case .otpSMSSent: "profile_event_sms"
        default: "profile_event_other"
        }
    }
}

struct ProfilePage: PageModel {
    struct Event: Sendable { let time: String; let what: String }
    struct Credential: Sendable {
        let id: String
        let active: Bool
        let deactivated: Bool
        let pendingFirstAccess: Bool
        let hasApp: Bool
        let recoveryCodesLeft: Int
    }
    struct Enrollment: Sendable { let id: String; let qrDataURL: String; let secret: String; let uri: String }

    let signedIn: Bool
    var name = ""
    var codiceFiscale = ""
    var csrf = ""
    var notice: String?
    var error: String?
    var passwordProblems: [String] = [] { didSet { hasPasswordProblems = !passwordProblems.isEmpty } }
    var hasPasswordProblems = false
    var lastAccess = ""
    var history: [Event] = []
    var credentials: [Credential] = []
    var hasCredentials = false
    var allDeactivated = false
    var enrollment: Enrollment?
    var recoveryCodes: [String] = [] { didSet { hasRecoveryCodes = !recoveryCodes.isEmpty } }
    var hasRecoveryCodes = false
}
