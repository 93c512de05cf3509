import Foundation
import Testing
@testable import VarcoServer
import VarcoSmartCard
import X509

@Suite("Client certificate from a reverse proxy header")
struct ProxyCertificateHeaderTests {
    let card: Certificate

    init() throws {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let issuer = try DemoCardIssuer(now: now)
        card = try issuer.issue(.init(commonName: DemoCard.commonName, givenName: "MARIO", surname: "ROSSI",
                                      notValidBefore: now, notValidAfter: now + 86_400)).certificate
    }

    func parse(_ value: String) -> Result<[Certificate]?, CardRefusal> {
        do throws(CardRefusal) { return .success(try ProxyCertificateHeader.certificates(value)) } catch { return .failure(error) }
    }

    @Test("nginx $ssl_client_escaped_cert: a percent-encoded PEM")
    func nginx() throws {
        let pem = try DemoCardIssuer.pem(card)
        let escaped = pem.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        #expect(try parse(escaped).get() == [card])
    }

    @Test("RFC 9440 Client-Cert: a structured-field byte sequence of the DER")
    func rfc9440() throws {
        let value = ":" + Data(try card.derBytes()).base64EncodedString() + ":"
        #expect(try parse(value).get() == [card])
    }

    @Test("empty means no certificate; anything else that is not a certificate is refused")
    func emptyAndGarbage() throws {
        #expect(try parse("").get() == nil)
        #expect(try parse("(null)").get() == nil)
        for garbage in ["hello", ":!!!:", ":aGVsbG8=:", "-----BEGIN%20CERTIFICATE-----%0Azzz%0A-----END%20CERTIFICATE-----"] {
            guard case .failure(let refusal) = parse(garbage) else {
                Issue.record("\(garbage) was accepted")
                continue
            }
            #expect(refusal.reason == .malformedCertificate)
        }
    }
}
