import Foundation
import VarcoCore
import VarcoSAML
import VarcoSmartCard
import VarcoXML
import X509

/// One parser that hostile input reaches, with the entry point the server uses for it. Each target must
/// return normally for every input: a crash, a leak or unbounded memory is a finding.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// A query string at the SSO endpoint: URL decoding, base64, bounded inflate, XML, every request check.
    case samlRedirect = "saml-redirect"
    /// A posted AuthnRequest document: XML parsing, signature verification, every request check.
    case samlPost = "saml-post"
    /// The Redirect binding's raw DEFLATE, with its output limit.
    case inflate
    /// Service provider metadata, as an administrator uploads it.
    case metadata
    /// The OIDC authorization endpoint's query string.
    case oidcAuthorize = "oidc-authorize"
    /// The token endpoint: first line the Authorization header, the rest the form body.
    case oidcToken = "oidc-token"
    /// A bearer token as the userinfo and introspection endpoints parse it.
    case jwt
    /// A client certificate (DER) through the card holder's identity extraction, as a CNS and as a CIE.
    case clientCertificate = "client-certificate"
    /// XML Encryption as a service provider's validator meets it: an `xenc:EncryptedData` goes through the shape
    /// check and xmlsec's key transport and content decryption with the world's key; any other element is encrypted
    /// to the world's certificate (namespaces it inherits included) and decrypted again, which must give it back.
    case encryptedData = "encrypted-data"

    /// Runs one input; the answer says how far it got, for replays.
    @discardableResult
    func run(_ bytes: [UInt8]) -> String {
        switch self {
        case .samlRedirect:
            guard let query = String(validating: bytes, as: UTF8.self) else { return "not UTF-8" }
            do { return receive(try RedirectBinding.decode(query: Substring(query))) } catch { return "binding: \(error)" }
        case .samlPost:
            return receive(InboundMessage(xml: bytes, relayState: nil, binding: .httpPOST, redirectSignature: nil))
        case .inflate:
            do { return "inflated \(try RawDeflate.inflate(bytes, limit: BindingLimits().maxXMLLength).count) bytes" } catch {
                return "inflate: \(error)"
            }
        case .metadata:
            guard let xml = String(validating: bytes, as: UTF8.self) else { return "not UTF-8" }
            do {
                let metadata = try ServiceProviderMetadata(xml: xml)
                let acs = metadata.assertionConsumerService(index: nil, url: nil, binding: nil)
                return "\(metadata.verificationKeys().count) keys, ACS \(acs?.location ?? "none")"
            } catch { return "metadata: \(error)" }
        case .oidcAuthorize:
            let query = String(decoding: bytes, as: UTF8.self)
            return FuzzWorld.wait { "\(await FuzzWorld.shared.provider.authorize(parameters: Substring(query)))" }
        case .oidcToken:
            let text = String(decoding: bytes, as: UTF8.self)
            let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            let authorization = parts.count == 2 ? String(parts[0]) : nil
            let body = parts.last ?? ""
            return FuzzWorld.wait { "status \(await FuzzWorld.shared.provider.token(body: body, authorization: authorization).0.status)" }
        case .jwt:
            let token = String(decoding: bytes, as: UTF8.self)
            return FuzzWorld.wait { (try? await FuzzWorld.shared.provider.validAccessToken(token)) == nil ? "refused" : "valid" }
        case .clientCertificate:
            guard let certificate = try? Certificate(derEncoded: bytes) else { return "not a certificate" }
            return CardFamily.allCases.map { family in
                do {
                    let holder = try CardIdentity.holder(of: ValidatedCard(family: family, chain: [certificate]))
                    return "\(family.rawValue): \(holder.codiceFiscale.value)"
                } catch { return "\(family.rawValue): \(error)" }
            }.joined(separator: ", ")
        case .encryptedData:
            return encryption(bytes)
        }
    }

    private func encryption(_ bytes: [UInt8]) -> String {
        guard let document = try? XMLDocument(bytes: bytes) else { return "not XML" }
        let world = FuzzWorld.shared
        var element = document.root
        if element.name != "EncryptedData" || element.namespace != XMLEncryption.namespace {
            let name = element.name
            do { element = try XMLEncryption.encrypt(element, to: world.encryptionCertificate) } catch { return "encrypt: \(error)" }
            guard let opened = try? XMLEncryption.decrypt(element, with: world.decryptionKey) else {
                fatalError("an element Varco encrypted did not decrypt with the matching key")
            }
            guard opened.root.name == name else { fatalError("decryption gave \(opened.root.name), not \(name)") }
            return "round trip of \(name)"
        }
        do { return "decrypted \(try XMLEncryption.decrypt(element, with: world.decryptionKey).root.name)" } catch {
            return "refused: \(error)"
        }
    }

    private func receive(_ message: InboundMessage) -> String {
        FuzzWorld.wait {
            switch try? await FuzzWorld.shared.receiver.receive(message) {
            case .login?: "login"
            case .respond(let reply)?: "error response \(reply.status)"
            case .refuse(let refusal)?: "refused: \(refusal.kind)"
            case nil: "store error"
            }
        }
    }
}
