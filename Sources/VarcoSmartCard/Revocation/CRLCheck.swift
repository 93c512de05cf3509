import Foundation
import X509

/// Checks a card against the CRL of its issuer. The CRL must name and be signed by the certificate that signed
/// the card and be current (thisUpdate ≤ now ≤ nextUpdate); otherwise the status is unavailable.
struct CRLCheck {
    let fetcher: any RevocationFetcher

    func fetch(_ uri: String, issuer: Certificate, now: Date) async -> Result<CertificateRevocationList, RevocationFetchFailure> {
        let bytes: [UInt8]
        do { bytes = try await fetcher.crl(from: uri) } catch {
            return .failure(RevocationFetchFailure("CRL \(uri) unreachable: \(error)"))
        }
        let crl: CertificateRevocationList
        do { crl = try CertificateRevocationList(derEncoded: bytes) } catch {
            return .failure(RevocationFetchFailure("CRL \(uri) is not a DER CRL: \(error)"))
        }
        guard crl.isSigned(by: issuer) else {
            return .failure(RevocationFetchFailure("CRL \(uri) is not signed by \(issuer.subject)"))
        }
        guard crl.thisUpdate <= now, crl.nextUpdate.map({ now <= $0 }) ?? true else {
            return .failure(RevocationFetchFailure("CRL \(uri) is not current (thisUpdate \(crl.thisUpdate), nextUpdate \(crl.nextUpdate.map { "\($0)" } ?? "none"))"))
        }
        return .success(crl)
    }
}

struct RevocationFetchFailure: Error {
    let detail: String
    init(_ detail: String) { self.detail = detail }
}
