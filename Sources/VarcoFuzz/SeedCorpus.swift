import Foundation
import VarcoCore
import VarcoOIDC
import SwiftASN1
import VarcoSAML
import VarcoSmartCard
import VarcoXML
import X509

/// Well-formed inputs for each target, made with the same code the service providers and relying parties
/// of the tests use, at the fuzz world's fixed time. The fuzzer mutates them.
enum SeedCorpus {
    static func seeds(for target: FuzzTarget) async throws -> [String: [UInt8]] {
        let world = FuzzWorld.shared
        switch target {
        case .samlRedirect:
            var seeds: [String: [UInt8]] = [:]
            for (name, xml) in authnRequests(at: world.clock.now()) {
                let url = try RedirectBinding.encode(xml: xml, relayState: "state-1", destination: "https://idp.fuzz.test/sso", key: nil)
                seeds[name] = Array(url.split(separator: "?", maxSplits: 1)[1].utf8)
            }
            return seeds
        case .samlPost:
            return authnRequests(at: world.clock.now()).mapValues { Array($0.utf8) }
        case .inflate:
            return authnRequests(at: world.clock.now()).mapValues { RawDeflate.deflate(Array($0.utf8)) }
        case .metadata:
            let identity = try SelfSignedIdentity.generate(commonName: "sp.fuzz.test")
            return ["sp-metadata": Array(FuzzWorld.serviceProviderMetadata(certificatePEM: identity.certificatePEM).utf8)]
        case .oidcAuthorize:
            return ["code-pkce": Array(authorizationQuery.utf8),
                    "code-plain": Array((authorizationQuery + "&prompt=login&max_age=60&acr_values=https://www.spid.gov.it/SpidL2").utf8)]
        case .oidcToken:
            let code = try await issuedCode(world)
            let basic = "Basic " + Data("\(FuzzWorld.clientID):\(FuzzWorld.clientSecret)".utf8).base64EncodedString()
            let exchange = "grant_type=authorization_code&code=\(code)&redirect_uri=\(URLEncodedForm.encode(FuzzWorld.redirectURI))" +
                "&code_verifier=\(verifier)"
            return ["code-exchange": Array("\(basic)\n\(exchange)".utf8),
                    "refresh": Array("\(basic)\ngrant_type=refresh_token&refresh_token=abc".utf8)]
        case .jwt:
            let tokens = try await issuedTokens(world)
            return ["access-token": Array(tokens.access_token.utf8), "id-token": Array((tokens.id_token ?? "").utf8)]
        case .clientCertificate:
            let now = world.clock.now()
            let issuer = try DemoCardIssuer(now: now)
            var seeds: [String: [UInt8]] = [:]
            for (name, commonName) in [("cns", "RSSMRA80A01H501U/1234567890123452.aGFzaC/+="), ("cie", "RSSMRA80A01H501U")] {
                var profile = DemoCardIssuer.CardProfile(commonName: commonName, givenName: "MARIO", surname: "ROSSI",
                                                         notValidBefore: now, notValidAfter: now.addingTimeInterval(86400))
                profile.ocspURI = "http://127.0.0.1:1/ocsp"
                var serializer = DER.Serializer()
                try serializer.serialize(try issuer.issue(profile).certificate)
                seeds[name] = serializer.serializedBytes
            }
            return seeds
        case .encryptedData:
            let response = """
                <samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
                ID="_fuzz-response" Version="2.0"><saml:Assertion xmlns:xs="http://www.w3.org/2001/XMLSchema" \
                xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="_fuzz-assertion" Version="2.0">\
                <saml:Issuer>https://idp.fuzz.test/metadata</saml:Issuer><saml:AttributeStatement><saml:Attribute Name="fiscalNumber">\
                <saml:AttributeValue xsi:type="xs:string">TINIT-RSSMRA80A01H501U</saml:AttributeValue></saml:Attribute>\
                </saml:AttributeStatement></saml:Assertion></samlp:Response>
                """
            let document = try XMLDocument(string: response)
            guard let assertion = try document.root.child("Assertion", namespace: SAMLNamespace.assertion) else {
                throw XMLError.malformed
            }
            let encrypted = try XMLEncryption.encrypt(assertion, to: world.encryptionCertificate)
            return ["response": Array(response.utf8), "encrypted-assertion": Array(encrypted.serialized().utf8)]
        }
    }

    static func authnRequests(at now: Date) -> [String: String] {
        let head = """
            <samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" \
            ID="_fuzz-seed" Version="2.0" IssueInstant="\(SAMLTime.format(now))" Destination="https://idp.fuzz.test/sso" \
            AssertionConsumerServiceURL="\(FuzzWorld.acs)" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
            """
        let issuer = "<saml:Issuer>\(FuzzWorld.spEntityID)</saml:Issuer>"
        return [
            "minimal": "\(head)>\(issuer)</samlp:AuthnRequest>",
            "spid-l2": """
                \(head) ForceAuthn="true">\(issuer)<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient"/>\
                <samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>https://www.spid.gov.it/SpidL2\
                </saml:AuthnContextClassRef></samlp:RequestedAuthnContext></samlp:AuthnRequest>
                """,
        ]
    }

    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    static var authorizationQuery: String {
        "client_id=\(FuzzWorld.clientID)&redirect_uri=\(URLEncodedForm.encode(FuzzWorld.redirectURI))&response_type=code" +
            "&scope=openid%20profile&state=s1&nonce=n1&code_challenge=\(challenge)&code_challenge_method=S256"
    }

    static func issuedCode(_ world: FuzzWorld) async throws -> String {
        let request = AuthorizationRequest(clientID: FuzzWorld.clientID, redirectURI: FuzzWorld.redirectURI, scopes: ["openid", "profile"],
                                           state: "s1", nonce: "n1", codeChallenge: challenge)
        let result = AuthnResult(citizen: try CodiceFiscale("RSSMRA80A01H501U"), level: .spidL2, method: .otpApp, instant: world.clock.now())
        let issued = try await world.provider.issueCode(for: request, result: result, sessionID: "fuzz-session")
        let form = try URLEncodedForm(String(issued.redirect.split(separator: "?", maxSplits: 1)[1]))
        return form["code"] ?? ""
    }

    static func issuedTokens(_ world: FuzzWorld) async throws -> TokenResponse {
        let code = try await issuedCode(world)
        let basic = "Basic " + Data("\(FuzzWorld.clientID):\(FuzzWorld.clientSecret)".utf8).base64EncodedString()
        let body = "grant_type=authorization_code&code=\(code)&redirect_uri=\(URLEncodedForm.encode(FuzzWorld.redirectURI))&code_verifier=\(verifier)"
        let (response, _) = await world.provider.token(body: Substring(body), authorization: basic)
        return try JSONDecoder().decode(TokenResponse.self, from: Data(response.body.utf8))
    }
}
