import Crypto
import Foundation
import VarcoCore
import X509

/// Revocation checking for validated cards: OCSP when the certificate names a responder, otherwise the CRL of its
/// distribution point. Answers are cached, OCSP answers per certificate for `ocspLifetime`, CRLs per address until
/// their nextUpdate but at most `crlLifetime`. Unavailable answers are never cached.
public actor RevocationChecker {
    private let ocsp: OCSPCheck
    private let crls: CRLCheck
    private let clock: any WallClock
    private let ocspLifetime: TimeInterval
    private let crlLifetime: TimeInterval
    private var ocspCache: [String: (status: RevocationStatus, expires: Date)] = [:]
    private var crlCache: [String: (crl: CertificateRevocationList, expires: Date)] = [:]

    public init(fetcher: any RevocationFetcher, clock: any WallClock, ocspLifetime: TimeInterval = 300,
                crlLifetime: TimeInterval = 3600) {
        ocsp = OCSPCheck(fetcher: fetcher)
        crls = CRLCheck(fetcher: fetcher)
        self.clock = clock
        self.ocspLifetime = ocspLifetime
        self.crlLifetime = crlLifetime
    }

    /// Lets the card through, or throws the refusal (revoked, unknown, or unavailable under hard-fail).
    public func check(_ card: ValidatedCard, failureMode: RevocationFailureMode) async throws(CardRefusal) -> RevocationOutcome {
        let (status, source, cached) = await status(of: card)
        switch status {
        case .good:
            return RevocationOutcome(status: status, source: source, cached: cached)
        case .revoked(let detail):
            throw CardRefusal(.revoked, detail)
        case .unknown(let detail):
            throw CardRefusal(.revocationUnknown, detail)
        case .unavailable(let detail):
            guard failureMode == .soft else { throw CardRefusal(.revocationUnavailable, detail) }
            return RevocationOutcome(status: status, source: source, cached: false)
        case .noSource:
            guard failureMode == .soft else {
                throw CardRefusal(.revocationUnavailable, "the certificate names neither an OCSP responder nor a CRL distribution point")
            }
            return RevocationOutcome(status: status, source: source, cached: false)
        }
    }

    func status(of card: ValidatedCard) async -> (RevocationStatus, String, Bool) {
        let now = clock.now()
        let responder: String?
        let distributionPoints: [String]
        do {
            responder = try card.leaf.ocspResponderURI()
            distributionPoints = try card.leaf.crlDistributionURIs().filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") }
        } catch {
            return (.unavailable("undecodable revocation pointers: \(error)"), "none", false)
        }
        if let responder {
            let key = Self.cacheKey(card)
            if let hit = ocspCache[key], hit.expires > now { return (hit.status, "OCSP \(responder)", true) }
            let status = await ocsp.status(of: card, now: now)
            switch status {
            case .good, .revoked, .unknown: ocspCache[key] = (status, now.addingTimeInterval(ocspLifetime))
            case .unavailable, .noSource: break
            }
            return (status, "OCSP \(responder)", false)
        }
        guard let uri = distributionPoints.first else { return (.noSource, "none", false) }
        var cached = true
        if crlCache[uri].map({ $0.expires <= now }) ?? true {
            cached = false
            switch await crls.fetch(uri, issuer: card.issuer, now: now) {
            case .failure(let failure):
                crlCache[uri] = nil
                return (.unavailable(failure.detail), "CRL \(uri)", false)
            case .success(let crl):
                let limit = now.addingTimeInterval(crlLifetime)
                crlCache[uri] = (crl, min(crl.nextUpdate ?? limit, limit))
            }
        }
        guard let crl = crlCache[uri]?.crl, crl.isSigned(by: card.issuer) else {
            return (.unavailable("CRL \(uri) does not belong to \(card.issuer.subject)"), "CRL \(uri)", false)
        }
        if crl.isRevoked(card.leaf.serialNumber) {
            return (.revoked("serial \(card.leaf.serialNumber) is on the CRL \(uri)"), "CRL \(uri)", cached)
        }
        return (.good, "CRL \(uri)", cached)
    }

    static func cacheKey(_ card: ValidatedCard) -> String {
        let issuerKey = SHA256.hash(data: card.issuer.publicKey.subjectPublicKeyInfoBytes)
        return issuerKey.map { String(format: "%02x", $0) }.joined() + "/\(card.leaf.serialNumber)"
    }
}
