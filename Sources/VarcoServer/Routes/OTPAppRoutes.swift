import Hummingbird
import VarcoCore
import VarcoOTP

/// Login with ID + password + authenticator-app code ("OTP cohesion"):
/// `GET /login/{id}/otp-app` shows the form, `POST` checks it.
struct OTPAppRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/login/:id/otp-app") { request, context -> Response in
            let transaction = try await varco.engine.load(try context.parameters.require("id"),
                                                          browser: request.cookies[CookieNames.browser]?.value)
            switch try await varco.engine.choose(.otpApp, in: transaction) {
            case .showMethod(let current, .otpApp):
                return await form(current, request: request, otpID: "", error: nil, status: .ok)
            case let other:
                return try await StepRenderer(varco: varco).response(other, language: request.language)
            }
        }
        router.post("/login/:id/otp-app") { request, context -> Response in
            let transaction = try await varco.engine.load(try context.parameters.require("id"),
                                                          browser: request.cookies[CookieNames.browser]?.value)
            let fields = try await request.form(limit: 16 * 1024)
            try CSRF.check(fields, transaction)
            guard transaction.state == .proving(.otpApp) else {
                throw WebError.badRequest("error_loginExpired", "otp-app form posted in state \(transaction.state)")
            }
            let otpID = (fields["otp_id"] ?? "").filter { !$0.isWhitespace }
            do {
                let result = try await varco.otpApp.authenticate(id: otpID, password: fields["password"] ?? "",
                                                                 code: (fields["code"] ?? "").filter { !$0.isWhitespace })
                await varco.auditor.record(.loginSucceeded, subject: result.citizen.value, relyingParty: transaction.relyingParty,
                                           detail: "otp-app credential \(otpID)" + (RecoveryCodes.looksLikeCode(fields["code"] ?? "") ? " with a recovery code" : ""),
                                           client: context.clientAddress)
                try await varco.otp.completeCardReplacement(afterLoginWith: otpID, client: context.clientAddress)
                let step = try await varco.engine.succeeded(transaction, result: result,
                                                            sessionCookie: request.cookies[CookieNames.session]?.value)
                return try await StepRenderer(varco: varco).response(step, language: request.language)
            } catch let failure as AuthnFailure {
                await varco.auditor.record(failure.isLock ? .credentialLocked : .loginFailed, subject: otpID.isEmpty ? nil : otpID,
                                           relyingParty: transaction.relyingParty, detail: "otp-app: \(failure)",
                                           client: context.clientAddress)
                switch try await varco.engine.failed(transaction) {
                case .showMethod(let current, _):
                    return await form(current, request: request, otpID: otpID, error: message(for: failure, request.language),
                                      status: .unprocessableContent)
                case let other:
                    return try await StepRenderer(varco: varco).response(other, language: request.language)
                }
            }
        }
    }

    private func form(_ transaction: LoginTransaction, request: Request, otpID: String, error: String?,
                      status: HTTPResponse.Status) async -> Response {
        let page = OTPAppPage(serviceName: await StepRenderer(varco: varco).serviceName(transaction),
                              action: "/login/\(transaction.id)/otp-app", cancelAction: "/login/\(transaction.id)/cancel",
                              csrf: transaction.csrfToken, otpID: otpID, error: error, backHref: "/login/\(transaction.id)")
        return HTML.response(varco.pages.render("login-otp-app", language: request.language, model: page), status: status)
    }

    private func message(for failure: AuthnFailure, _ language: Language) -> String {
        switch failure {
        case .missingInput: varco.pages.message("otp_error_missing", language)
        case .invalidCredentials: varco.pages.message("otp_error_invalid", language)
        case .locked: varco.pages.message("otp_error_locked", language)
        case .disabled: varco.pages.message("otp_error_disabled", language)
        }
    }
}

extension AuthnFailure {
    var isLock: Bool { if case .locked = self { true } else { false } }
}
