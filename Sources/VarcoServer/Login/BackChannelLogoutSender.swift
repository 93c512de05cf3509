import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import VarcoCore
import VarcoOIDC

/// POSTs logout tokens to the clients' `backchannel_logout_uri` (OIDC Back-Channel Logout 1.0 §2.5),
/// each with a short timeout; a failure is logged and audited, never retried, never shown to the citizen.
struct BackChannelLogoutSender: Sendable {
    let auditor: Auditor
    var timeout: TimeInterval = 5

    func send(_ notices: [BackChannelLogout]) async {
        await withTaskGroup(of: Void.self) { group in
            for notice in notices {
                group.addTask { await send(notice) }
            }
        }
    }

    func send(_ notice: BackChannelLogout) async {
        _ = await deliver(notice)
    }

    /// Delivers one logout token and says how it went, for the single logout's record.
    func deliver(_ notice: BackChannelLogout) async -> (LogoutStep.Outcome, String?) {
        guard let url = URL(string: notice.uri) else {
            await failed(notice, "bad URI")
            return (.failed, "bad back-channel URI")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("logout_token=\(notice.logoutToken)".utf8)
        do {
            let (_, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 || status == 204 else {
                await failed(notice, "HTTP \(status)")
                return (.failed, "back-channel logout URI answered HTTP \(status)")
            }
            await auditor.record(.sessionEnded, relyingParty: notice.clientID, detail: "oidc back-channel logout delivered")
            return (.loggedOut, nil)
        } catch {
            await failed(notice, "\(error)")
            return ((error as? URLError)?.code == .timedOut ? .noAnswer : .failed, "back-channel logout URI not reachable: \(error)")
        }
    }

    private func failed(_ notice: BackChannelLogout, _ reason: String) async {
        await auditor.record(.requestRejected, relyingParty: notice.clientID, detail: "oidc back-channel logout to \(notice.uri) failed: \(reason)")
    }
}
