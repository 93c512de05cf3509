import Foundation
import Hummingbird
import VarcoCore
import VarcoOTP

/// The pages of regional OTP credentials with SMS codes, inside a login transaction (its CSRF token and
/// browser binding protect every form):
/// - `/login/{id}/otp-sms` ID + password, then `/code` the SMS code;
/// - `/first-access`, `/first-access/password`, `/first-access/code`;
/// - `/recover`, `/recover/code` (forgotten password);
/// - `POST /resend` a new code for the current step.
/// With `--demo`, `/demo/sms` shows the SMS outbox.
struct OTPLifecycleRoutes {
    let varco: Varco
    static let base = "otp-sms"

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/login/:id/otp-sms") { request, context in
            try await page(request, context) { t in loginForm(t, request.language) }
        }
        router.post("/login/:id/otp-sms") { request, context in
            try await submit(request, context) { t, fields in
                let otpID = (fields["otp_id"] ?? "").filter { !$0.isWhitespace }
                do {
                    _ = try await varco.otp.startLogin(id: otpID, password: fields["password"] ?? "", flowID: "login:\(t.id)",
                                                       client: context.clientAddress)
                    return HTML.redirect(to: path(t, "code"))
                } catch let refusal as RegionalOTP.Refusal {
                    return try await refused(refusal, t, request, context, subject: otpID) { message in
                        var form = loginForm(t, request.language, otpID: otpID)
                        form.error = message
                        return form
                    }
                }
            }
        }
        router.get("/login/:id/otp-sms/code") { request, context in
            try await page(request, context) { t in codePage(t, request, flow: "login", step: "code") }
        }
        router.post("/login/:id/otp-sms/code") { request, context in
            try await submit(request, context) { t, fields in
                do {
                    let result = try await varco.otp.finishLogin(flowID: "login:\(t.id)", code: fields["code"] ?? "",
                                                                 client: context.clientAddress)
                    return try await succeeded(t, result, request, context, detail: "otp-sms login")
                } catch let refusal as RegionalOTP.Refusal {
                    return try await codeRefused(refusal, t, request, context, flow: "login", step: "code")
                }
            }
        }
        router.post("/login/:id/otp-sms/resend") { request, context in
            try await submit(request, context) { t, fields in
                let flow = fields["flow"] ?? ""
                guard let step = ["login": "code", "first": "first-access/code", "recover": "recover/code"][flow] else {
                    throw WebError.badRequest("error_badRequest", "unknown resend flow")
                }
                do {
                    try await varco.otp.resend(flowID: "\(flow):\(t.id)", client: context.clientAddress)
                    return HTML.redirect(to: path(t, step) + "?sent=1")
                } catch let refusal as RegionalOTP.Refusal {
                    var form = codeForm(t, request.language, flow: flow, step: step)
                    form.error = message(refusal, request.language)
                    return render(form, request, status: .tooManyRequests)
                }
            }
        }

        // First access.
        router.get("/login/:id/otp-sms/first-access") { request, context in
            try await page(request, context) { t in firstAccessForm(t, request.language) }
        }
        router.post("/login/:id/otp-sms/first-access") { request, context in
            try await submit(request, context) { t, fields in
                let otpID = (fields["otp_id"] ?? "").filter { !$0.isWhitespace }
                do {
                    try await varco.otp.startFirstAccess(id: otpID, temporaryPassword: fields["temporary_password"] ?? "",
                                                         flowID: "first:\(t.id)", client: context.clientAddress)
                    return HTML.redirect(to: path(t, "first-access/password"))
                } catch let refusal as RegionalOTP.Refusal {
                    return try await refused(refusal, t, request, context, subject: otpID) { message in
                        var form = firstAccessForm(t, request.language, otpID: otpID)
                        form.error = message
                        return form
                    }
                }
            }
        }
        router.get("/login/:id/otp-sms/first-access/password") { request, context in
            try await page(request, context) { t in newPasswordForm(t, request.language, violations: []) }
        }
        router.post("/login/:id/otp-sms/first-access/password") { request, context in
            try await submit(request, context) { t, fields in
                do {
                    _ = try await varco.otp.choosePassword(flowID: "first:\(t.id)", password: fields["new_password"] ?? "",
                                                           confirmation: fields["confirm_password"] ?? "", client: context.clientAddress)
                    return HTML.redirect(to: path(t, "first-access/code"))
                } catch RegionalOTP.Refusal.weakPassword(let violations) {
                    return render(newPasswordForm(t, request.language, violations: violations), request, status: .unprocessableContent)
                } catch let refusal as RegionalOTP.Refusal {
                    var form = firstAccessForm(t, request.language)
                    form.error = message(refusal, request.language)
                    return render(form, request, status: .unprocessableContent)
                }
            }
        }
        router.get("/login/:id/otp-sms/first-access/code") { request, context in
            try await page(request, context) { t in codePage(t, request, flow: "first", step: "first-access/code") }
        }
        router.post("/login/:id/otp-sms/first-access/code") { request, context in
            try await submit(request, context) { t, fields in
                do {
                    let result = try await varco.otp.finishFirstAccess(flowID: "first:\(t.id)", code: fields["code"] ?? "",
                                                                       client: context.clientAddress)
                    return try await succeeded(t, result, request, context, detail: "otp-sms first access")
                } catch let refusal as RegionalOTP.Refusal {
                    return try await codeRefused(refusal, t, request, context, flow: "first", step: "first-access/code")
                }
            }
        }

        // Forgotten password.
        router.get("/login/:id/otp-sms/recover") { request, context in
            try await page(request, context) { t in recoverForm(t, request.language) }
        }
        router.post("/login/:id/otp-sms/recover") { request, context in
            try await submit(request, context) { t, fields in
                let otpID = (fields["otp_id"] ?? "").filter { !$0.isWhitespace }
                do {
                    try await varco.otp.startRecovery(id: otpID, codiceFiscale: fields["cf"] ?? "", mobile: fields["mobile"] ?? "",
                                                      flowID: "recover:\(t.id)", client: context.clientAddress)
                    return HTML.redirect(to: path(t, "recover/code"))
                } catch let refusal as RegionalOTP.Refusal {
                    var form = recoverForm(t, request.language, otpID: otpID)
                    form.error = message(refusal, request.language)
                    return render(form, request, status: refusal == .tooManyRequests ? .tooManyRequests : .unprocessableContent)
                }
            }
        }
        router.get("/login/:id/otp-sms/recover/code") { request, context in
            try await page(request, context) { t in
                var form = codePage(t, request, flow: "recover", step: "recover/code")
                form.intro = m("otp_recover_code_intro", request.language)
                return form
            }
        }
        router.post("/login/:id/otp-sms/recover/code") { request, context in
            try await submit(request, context) { t, fields in
                do {
                    let (otpID, half) = try await varco.otp.finishRecovery(flowID: "recover:\(t.id)", code: fields["code"] ?? "",
                                                                           client: context.clientAddress)
                    var form = firstAccessForm(t, request.language, otpID: otpID)
                    form.notice = m("otp_recover_done", request.language)
                    form.secret = half
                    return render(form, request, status: .ok)
                } catch let refusal as RegionalOTP.Refusal {
                    return try await codeRefused(refusal, t, request, context, flow: "recover", step: "recover/code")
                }
            }
        }

        if varco.configuration.demo {
            router.get("/demo/sms") { request, _ -> Response in
                let formatter = ISO8601DateFormatter()
                let messages = try await varco.stores.otp.outbox.recent(limit: 50).map {
                    DemoSMSPage.Message(time: formatter.string(from: $0.created), to: $0.to, text: $0.text, status: $0.status.rawValue)
                }
                return HTML.response(varco.pages.render("demo-sms", language: request.language,
                                                        model: DemoSMSPage(messages: messages, hasMessages: !messages.isEmpty)))
            }
        }
    }

    // MARK: Plumbing

    private func path(_ t: LoginTransaction, _ step: String) -> String { "/login/\(t.id)/\(Self.base)/\(step)" }

    private func m(_ key: String, _ language: Language) -> String { varco.pages.message(key, language) }

    /// A GET: loads the transaction and makes `otp-sms` the method being proved.
    private func page(_ request: Request, _ context: VarcoRequestContext,
                      _ build: (LoginTransaction) -> OTPFormPage) async throws -> Response {
        let transaction = try await varco.engine.load(try context.parameters.require("id"), browser: request.cookies[CookieNames.browser]?.value)
        switch try await varco.engine.choose(.otpSMS, in: transaction) {
        case .showMethod(let current, .otpSMS):
            return render(build(current), request, status: .ok)
        case let other:
            return try await StepRenderer(varco: varco).response(other, language: request.language)
        }
    }

    /// A POST: loads the transaction, checks CSRF and that `otp-sms` is the method being proved.
    private func submit(_ request: Request, _ context: VarcoRequestContext,
                        _ body: (LoginTransaction, URLEncodedForm) async throws -> Response) async throws -> Response {
        let transaction = try await varco.engine.load(try context.parameters.require("id"), browser: request.cookies[CookieNames.browser]?.value)
        let fields = try await request.form(limit: 16 * 1024)
        try CSRF.check(fields, transaction)
        guard transaction.state == .proving(.otpSMS) else {
            throw WebError.badRequest("error_loginExpired", "otp-sms form posted in state \(transaction.state)")
        }
        return try await body(transaction, fields)
    }

    private func render(_ form: OTPFormPage, _ request: Request, status: HTTPResponse.Status) -> Response {
        HTML.response(varco.pages.render("otp-form", language: request.language, model: form), status: status)
    }

    private func succeeded(_ t: LoginTransaction, _ result: AuthnResult, _ request: Request, _ context: VarcoRequestContext,
                           detail: String) async throws -> Response {
        await varco.auditor.record(.loginSucceeded, subject: result.citizen.value, relyingParty: t.relyingParty, detail: detail,
                                   client: context.clientAddress)
        let step = try await varco.engine.succeeded(t, result: result, sessionCookie: request.cookies[CookieNames.session]?.value)
        return try await StepRenderer(varco: varco).response(step, language: request.language)
    }

    /// A refused ID + password step: wrong secrets count towards the login's attempts.
    private func refused(_ refusal: RegionalOTP.Refusal, _ t: LoginTransaction, _ request: Request, _ context: VarcoRequestContext,
                         subject: String, form: (String) -> OTPFormPage) async throws -> Response {
        let counts: Bool
        switch refusal {
        case .invalidCredentials, .locked: counts = true
        default: counts = false
        }
        await varco.auditor.record(refusal.isLock ? .credentialLocked : .loginFailed, subject: subject.isEmpty ? nil : subject,
                                   relyingParty: t.relyingParty, detail: "otp-sms: \(refusal)", client: context.clientAddress)
        var status: HTTPResponse.Status = refusal == .tooManyRequests ? .tooManyRequests : .unprocessableContent
        if counts {
            switch try await varco.engine.failed(t) {
            case .showMethod(let current, _):
                var page = form(message(refusal, request.language))
                page = OTPFormPage(serviceName: page.serviceName, title: page.title, intro: page.intro, notice: page.notice,
                                   error: page.error, secret: nil, action: page.action, csrf: current.csrfToken, fields: page.fields,
                                   submit: page.submit, links: page.links, cancelAction: page.cancelAction)
                return render(page, request, status: status)
            case let other:
                return try await StepRenderer(varco: varco).response(other, language: request.language)
            }
        }
        if refusal == .firstAccessRequired { status = .conflict }
        return render(form(message(refusal, request.language)), request, status: status)
    }

    private func codeRefused(_ refusal: RegionalOTP.Refusal, _ t: LoginTransaction, _ request: Request, _ context: VarcoRequestContext,
                             flow: String, step: String) async throws -> Response {
        await varco.auditor.record(.loginFailed, relyingParty: t.relyingParty, detail: "otp-sms \(flow) code: \(refusal)",
                                   client: context.clientAddress)
        if case .codeExpired = refusal {
            // Start again from the first step of this flow.
            var form = flow == "recover" ? recoverForm(t, request.language) : (flow == "first" ? firstAccessForm(t, request.language)
                                                                                                 : loginForm(t, request.language))
            form.error = message(refusal, request.language)
            return render(form, request, status: .unprocessableContent)
        }
        var form = codeForm(t, request.language, flow: flow, step: step)
        form.fields[0].error = message(refusal, request.language)
        return render(form, request, status: .unprocessableContent)
    }

    private func message(_ refusal: RegionalOTP.Refusal, _ language: Language) -> String {
        switch refusal {
        case .missingInput: m("otp_sms_error_missing", language)
        case .invalidCredentials: m("otp_sms_error_invalid", language)
        case .locked: m("otp_error_locked", language)
        case .disabled: m("otp_error_disabled", language)
        case .firstAccessRequired: m("otp_sms_error_firstAccess", language)
        case .pastUsageDeadline: m("otp_sms_error_deadline", language)
        case .wrongCode(let remaining): m("otp_sms_error_wrongCode", language).replacingOccurrences(of: "{n}", with: "\(remaining)")
        case .codeExpired: m("otp_sms_error_codeExpired", language)
        case .resendTooSoon: m("otp_sms_error_resend", language)
        case .tooManyRequests: m("otp_sms_error_rate", language)
        case .weakPassword: m("otp_pw_title", language)
        case .smsUnavailable: m("otp_sms_error_unavailable", language)
        }
    }

    // MARK: Forms

    private func base(_ t: LoginTransaction, _ language: Language, title: String, step: String, fields: [OTPFormPage.Field],
                      submit: String) -> OTPFormPage {
        OTPFormPage(serviceName: t.relyingParty, title: m(title, language), action: step.isEmpty ? "/login/\(t.id)/\(Self.base)" : path(t, step),
                    csrf: t.csrfToken, fields: fields, submit: m(submit, language),
                    links: [.init(href: "/login/\(t.id)", label: m("other_methods", language))], cancelAction: "/login/\(t.id)/cancel")
    }

    private func idField(_ language: Language, _ value: String) -> OTPFormPage.Field {
        .init(id: "otp_id", label: m("otp_id_label", language), value: value, hint: m("otp_id_hint", language), inputmode: "numeric",
              autofocus: value.isEmpty)
    }

    func loginForm(_ t: LoginTransaction, _ language: Language, otpID: String = "") -> OTPFormPage {
        var form = base(t, language, title: "otp_sms_title", step: "", fields: [
            idField(language, otpID),
            .init(id: "password", label: m("password_label", language), type: "password", autofocus: !otpID.isEmpty),
        ], submit: "otp_sms_continue")
        form.intro = m("otp_sms_intro", language)
        form.links.insert(contentsOf: [.init(href: path(t, "first-access"), label: m("otp_first_access_link", language)),
                                       .init(href: path(t, "recover"), label: m("otp_recover_link", language))], at: 0)
        return form
    }

    func codeForm(_ t: LoginTransaction, _ language: Language, flow: String, step: String, notice: String? = nil) -> OTPFormPage {
        var form = base(t, language, title: "otp_sms_code_title", step: step, fields: [
            .init(id: "code", label: m("otp_sms_code_label", language), hint: m("otp_sms_code_hint", language), inputmode: "numeric",
                  autocomplete: "one-time-code", autofocus: true),
        ], submit: "sign_in")
        form.notice = notice
        form.resendAction = "/login/\(t.id)/\(Self.base)/resend"
        form.resendFlow = flow
        return form
    }

    /// The code step of a flow, saying so when a new code was just sent (`?sent=1` after a resend).
    private func codePage(_ t: LoginTransaction, _ request: Request, flow: String, step: String) -> OTPFormPage {
        codeForm(t, request.language, flow: flow, step: step,
                 notice: request.uri.queryParameters["sent"] != nil ? m("otp_sms_resent", request.language) : nil)
    }

    func firstAccessForm(_ t: LoginTransaction, _ language: Language, otpID: String = "") -> OTPFormPage {
        var form = base(t, language, title: "otp_first_access_title", step: "first-access", fields: [
            idField(language, otpID),
            .init(id: "temporary_password", label: m("otp_temporary_label", language), type: "password",
                  hint: m("otp_temporary_hint", language), autofocus: !otpID.isEmpty),
        ], submit: "otp_sms_continue")
        form.intro = m("otp_first_access_intro", language)
        return form
    }

    func newPasswordForm(_ t: LoginTransaction, _ language: Language, violations: [PasswordPolicy.Violation]) -> OTPFormPage {
        let mismatch = violations.contains(.mismatch)
        let others = violations.filter { $0 != .mismatch }.map { m($0.messageKey, language) }
        var form = base(t, language, title: "otp_new_password_title", step: "first-access/password", fields: [
            .init(id: "new_password", label: m("otp_new_password_label", language), type: "password",
                  hint: m("otp_pw_rules", language), error: others.isEmpty ? nil : others.joined(separator: " "),
                  autocomplete: "new-password", autofocus: true),
            .init(id: "confirm_password", label: m("otp_confirm_password_label", language), type: "password",
                  error: mismatch ? m(PasswordPolicy.Violation.mismatch.messageKey, language) : nil, autocomplete: "new-password"),
        ], submit: "otp_sms_continue")
        if !violations.isEmpty { form.error = m("otp_pw_title", language) }
        return form
    }

    func recoverForm(_ t: LoginTransaction, _ language: Language, otpID: String = "") -> OTPFormPage {
        var form = base(t, language, title: "otp_recover_title", step: "recover", fields: [
            idField(language, otpID),
            .init(id: "cf", label: m("otp_cf_label", language)),
            .init(id: "mobile", label: m("otp_mobile_label", language), type: "tel", hint: m("otp_mobile_hint", language)),
        ], submit: "otp_sms_continue")
        form.intro = m("otp_recover_intro", language)
        return form
    }
}

extension RegionalOTP.Refusal {
    var isLock: Bool { if case .locked = self { true } else { false } }
}
