import Foundation
import VarcoCore
import VarcoOIDC

/// The OIDC engine's side of the login: a code (or an error) sent back to the client's redirect_uri.
struct OIDCLoginProtocol: LoginProtocol {
    let provider: OIDCProvider

    static let name = "oidc"
    var name: String { Self.name }

    func answer(_ transaction: LoginTransaction, result: AuthnResult, session: SSOSession) async throws -> (ProtocolAnswer, ServiceVisit) {
        guard let request = AuthorizationRequest.decode(transaction.protocolState) else { throw LoginError.corruptTransaction }
        let issued = try await provider.issueCode(for: request, result: result, sessionID: session.id)
        let visit = ServiceVisit(relyingParty: request.clientID, protocolName: name, nameID: issued.subject, nameIDFormat: "pairwise",
                                 sessionIndex: issued.sessionIdentifier, instant: result.instant)
        return (.redirect(issued.redirect), visit)
    }

    func answer(_ transaction: LoginTransaction, failure: LoginFailure) async throws -> ProtocolAnswer {
        guard let request = AuthorizationRequest.decode(transaction.protocolState) else { throw LoginError.corruptTransaction }
        return .redirect(provider.errorRedirect(for: request, failure: failure))
    }
}
