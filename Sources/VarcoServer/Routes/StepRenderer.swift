import Foundation
import Hummingbird
import VarcoCore

/// Turns a login step into what the browser gets.
struct StepRenderer: Sendable {
    let varco: Varco

    func response(_ step: LoginEngine.Step, language: Language) async throws -> Response {
        switch step {
        case .answer(let answer, let session):
            var response = render(answer, language: language)
            if let session { response.setCookie(CookieNames.session(session.id)) }
            return response
        case .showMethods(let transaction, _):
            return HTML.redirect(to: "/login/\(transaction.id)")
        case .showMethod(let transaction, let method):
            return HTML.redirect(to: "/login/\(transaction.id)/\(method.rawValue)")
        }
    }

    func render(_ answer: ProtocolAnswer, language: Language) -> Response {
        switch answer {
        case .postForm(let form):
            // The value is written unescaped (escaping 10 KB of base64 costs more than signing it): base64 only.
            let value = form.value.utf8.allSatisfy(Self.isBase64) ? form.value : ""
            return HTML.response(varco.postForms.render(destination: form.destination, parameter: form.parameter, value: value,
                                                        relayState: form.relayState, language: language))
        case .redirect(let location):
            return HTML.redirect(to: location)
        }
    }

    static func isBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="): true
        default: false
        }
    }

    /// The display name of the relying party a transaction is for.
    func serviceName(_ transaction: LoginTransaction) async -> String {
        (try? await varco.stores.relyingParties.find(id: transaction.relyingParty))?.displayName ?? transaction.relyingParty
    }
}
