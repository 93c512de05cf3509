import VarcoCore
import VarcoSAML

/// How a protocol answers a relying party at the end of a login.
enum ProtocolAnswer: Sendable {
    /// An auto-submitting form (SAML HTTP-POST binding).
    case postForm(PostBinding.Form)
    /// A redirect (OIDC authorization response).
    case redirect(String)
}

/// A protocol engine seen from the login engine: it answers a finished login transaction.
protocol LoginProtocol: Sendable {
    var name: String { get }
    func answer(_ transaction: LoginTransaction, result: AuthnResult, session: SSOSession) async throws -> (ProtocolAnswer, ServiceVisit)
    func answer(_ transaction: LoginTransaction, failure: LoginFailure) async throws -> ProtocolAnswer
}
