import Foundation
import Synchronization
@_spi(FixedExpiryValidationTime) import X509

/// One OCSP query for a validated card, with swift-certificates' `OCSPVerifierPolicy` (request building, responder
/// signature and delegation, nonce, thisUpdate/nextUpdate). The policy runs in hard mode and its verdict is turned
/// into a revocation status here; soft- or hard-fail is decided by the caller.
struct OCSPCheck {
    let fetcher: any RevocationFetcher

    /// `good`, `revoked`, `unknown`, or `unavailable` (no answer, or an answer that does not verify).
    func status(of card: ValidatedCard, now: Date) async -> RevocationStatus {
        let requester = RecordingRequester(fetcher: fetcher)
        var verifier = Verifier(rootCertificates: CertificateStore([card.chain[card.chain.count - 1]])) {
            RFC5280Policy(fixedExpiryValidationTime: now)
            CardLeafPolicy()
            // Trap: the soft/hard mode does not apply to what the requester returns; an unreachable responder
            // blocks only if the requester answers `.terminalError` (RecordingRequester always does).
            OCSPVerifierPolicy(failureMode: .hard, requester: requester, fixedExpiryValidationTime: now)
        }
        let result = await verifier.validate(leaf: card.leaf, intermediates: CertificateStore(card.chain.dropFirst().dropLast()))
        switch result {
        case .validCertificate:
            return .good
        case .couldNotValidate(let failures):
            if let error = requester.error { return .unavailable("OCSP responder unreachable: \(error)") }
            // The reasons are those of the pinned swift-certificates version (OCSPPolicy.swift).
            let reasons = failures.map { "\($0.policyFailureReason)" }
            if reasons.contains(where: { $0.contains("revoked through OCSP") }) {
                return .revoked("OCSP: " + reasons.joined(separator: "; "))
            }
            if reasons.contains(where: { $0.contains("status unknown") }) {
                return .unknown("OCSP responder does not know the certificate")
            }
            return .unavailable("OCSP answer not usable: " + reasons.joined(separator: "; "))
        }
    }
}

/// Fetches through the server's `RevocationFetcher` and remembers a transport failure.
final class RecordingRequester: OCSPRequester, Sendable {
    let fetcher: any RevocationFetcher
    private let failure = Mutex<String?>(nil)

    init(fetcher: any RevocationFetcher) { self.fetcher = fetcher }

    var error: String? { failure.withLock { $0 } }

    func query(request: [UInt8], uri: String) async -> OCSPRequesterQueryResult {
        do {
            return .response(try await fetcher.ocsp(request, to: uri))
        } catch {
            failure.withLock { $0 = "\(uri): \(error)" }
            return .terminalError(error)
        }
    }
}
