import Foundation
import Hummingbird
import VarcoCore
import VarcoSAML
import VarcoSPID
import VarcoXML

/// The demo's stand-in SPID identity provider, on the demo services' loopback port: it receives Varco's
/// signed AuthnRequest (HTTP-Redirect), checks its signature with Varco's SPID key, shows who will sign
/// in, and answers with a SPID-profile Response to Varco's AssertionConsumerService. Registered in
/// Varco's provider list only with `--demo`; it is not a real identity provider.
struct DemoSPIDProviderRoutes: Sendable {
    let varco: Varco
    let standIn: StandInIdentityProvider

    /// The identity the stand-in vouches for (a citizen Varco does not know until she signs in).
    static let citizen = Citizen(codiceFiscale: try! CodiceFiscale("BNCGLI85M41H501Y"), givenName: "Giulia", familyName: "Bianchi",
                                 dateOfBirth: "1985-08-01", placeOfBirth: "H501", countyOfBirth: "RM", gender: "F",
                                 email: "giulia.bianchi@example.it", mobilePhone: "+393339876543")

    static func standIn(port: Int, key: XMLSigningKey) -> StandInIdentityProvider {
        StandInIdentityProvider(entityID: "http://127.0.0.1:\(port)/spid-idp/metadata", ssoURL: "http://127.0.0.1:\(port)/spid-idp/sso",
                                key: key, displayName: "SPID di prova (demo)")
    }

    func register(on router: Router<VarcoRequestContext>) {
        router.get("/spid-idp/sso") { request, _ -> Response in
            let message: InboundMessage
            do { message = try RedirectBinding.decode(query: Substring(request.uri.query ?? "")) } catch {
                throw WebError.badRequest("error_malformedMessage", "demo SPID provider: \(error)")
            }
            let spKey = try XMLVerificationKey(certificate: varco.upstream.spidKey.certificateBase64)
            guard let signature = message.redirectSignature,
                  RawSignature.verify(signature.signature, over: signature.signedOctets, algorithm: signature.algorithm, keys: [spKey]),
                  let authn = StandInIdentityProvider.read(message.xml), authn.issuer == varco.upstream.spid.entityID else {
                throw WebError(.forbidden, "error_badSignature", detail: "demo SPID provider: unsigned or foreign AuthnRequest")
            }
            let c = Self.citizen
            let page = DemoSPIDProviderPage(name: "\(c.givenName) \(c.familyName)", fiscalNumber: c.codiceFiscale.value,
                                            level: authn.level.uri, requestID: authn.id, levelNumber: String(authn.level.rawValue),
                                            relayState: message.relayState ?? "")
            return HTML.response(varco.pages.render("demo-spid-idp", language: request.language, model: page))
        }
        router.post("/spid-idp/login") { request, _ -> Response in
            let form = try await request.form()
            guard let requestID = form["request"], requestID.hasPrefix("_"), requestID.utf8.count <= 64,
                  let level = form["level"].flatMap(Int.init).flatMap(LevelOfAssurance.init(rawValue:)) else {
                throw WebError.badRequest("error_badRequest", "demo SPID provider: incomplete form")
            }
            let c = Self.citizen
            let attributes = [("fiscalNumber", "TINIT-\(c.codiceFiscale.value)"), ("name", c.givenName), ("familyName", c.familyName),
                              ("dateOfBirth", c.dateOfBirth), ("placeOfBirth", c.placeOfBirth), ("countyOfBirth", c.countyOfBirth ?? ""),
                              ("gender", c.gender ?? ""), ("email", c.email ?? ""), ("mobilePhone", c.mobilePhone ?? "")]
            let sp = varco.upstream.spid
            let xml = try standIn.response(inResponseTo: requestID, audience: sp.entityID, acsURL: sp.assertionConsumerServiceURL,
                                           level: level, attributes: attributes, now: varco.clock.now(), random: varco.random)
            let relayState = form["RelayState"].flatMap { $0.isEmpty ? nil : $0 }
            return StepRenderer(varco: varco).render(.postForm(PostBinding.form(xml: xml, parameter: "SAMLResponse", relayState: relayState,
                                                                                destination: sp.assertionConsumerServiceURL)),
                                                     language: request.language)
        }
    }
}

struct DemoSPIDProviderPage: PageModel {
    let name: String
    let fiscalNumber: String
    let level: String
    let requestID: String
    let levelNumber: String
    let relayState: String
}
