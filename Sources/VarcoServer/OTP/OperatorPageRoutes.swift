import Foundation
import Hummingbird
import VarcoCore
import VarcoOTP

/// The counter's web page (`GET /sportello`, `POST /sportello`): an operator identifies the citizen and
/// issues OTP credentials, then prints the first half of the temporary password for the paper form.
/// Every submission carries the operator's token (from `varco operator add NAME`), so a page from another
/// site cannot issue anything.
struct OperatorPageRoutes {
    let varco: Varco

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/sportello") { request, _ -> Response in
            render(OperatorIssuePage(), request: request, status: .ok)
        }
        router.post("/sportello") { request, context -> Response in
            let form = try await request.form(limit: 16 * 1024)
            var page = OperatorIssuePage(form: form)
            guard let name = try await OperatorAPIRoutes.operatorName(token: form["token"] ?? "", varco: varco) else {
                page.problems = [varco.pages.message("operator_bad_token", request.language)]
                return render(page, request: request, status: .unauthorized)
            }
            do {
                let result = try await varco.otp.issue(page.issuanceRequest, by: name, client: context.clientAddress)
                let done = OperatorIssuedPage(id: result.id, paperHalf: result.paperHalf, smsSent: result.smsSent,
                                              codiceFiscale: page.codiceFiscale.uppercased())
                return HTML.response(varco.pages.render("operator-issued", language: request.language, model: done))
            } catch let refused as IssuanceRefused {
                page.problems = refused.problems
                return render(page, request: request, status: .unprocessableContent)
            }
        }
    }

    private func render(_ page: OperatorIssuePage, request: Request, status: HTTPResponse.Status) -> Response {
        HTML.response(varco.pages.render("operator-issue", language: request.language, model: page), status: status)
    }
}

/// The issuance form, with what the operator typed (never the token) and the problems found.
struct OperatorIssuePage: PageModel {
    var codiceFiscale = "", givenName = "", familyName = "", birthDate = "", cardNumber = "", mobile = ""
    var minor = false, representativeCF = "", ward = false, decree = "", requestReceived = ""
    var problems: [String] = []

    init() {}

    init(form: URLEncodedForm) {
        codiceFiscale = form["codice_fiscale"] ?? ""
        givenName = form["given_name"] ?? ""
        familyName = form["family_name"] ?? ""
        birthDate = form["birth_date"] ?? ""
        cardNumber = (form["card_number"] ?? "").filter { !$0.isWhitespace }
        mobile = form["mobile"] ?? ""
        minor = form["minor"] == "on"
        representativeCF = form["representative_cf"] ?? ""
        ward = form["ward"] == "on"
        decree = form["decree"] ?? ""
        requestReceived = form["request_received"] ?? ""
    }

    var issuanceRequest: IssuanceRequest {
        IssuanceRequest(codiceFiscale: codiceFiscale, cardNumber: cardNumber, mobile: mobile, birthDate: birthDate,
                        givenName: givenName.isEmpty ? nil : givenName, familyName: familyName.isEmpty ? nil : familyName,
                        minor: minor, representativeCF: representativeCF.isEmpty ? nil : representativeCF, ward: ward,
                        decree: decree.isEmpty ? nil : decree, requestReceived: requestReceived.isEmpty ? nil : requestReceived)
    }
}

struct OperatorIssuedPage: PageModel {
    let id: String
    let paperHalf: String
    let smsSent: Bool
    let codiceFiscale: String
}
