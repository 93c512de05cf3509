import Foundation
import VarcoCore
import VarcoXML

/// The first checks every message from a service provider passes, in order, before its content is read:
/// safe XML, the expected root element with one Issuer, a registered and enabled service, and a signature
/// made with a key of that service's metadata (never a key carried in the message). Returns the signed
/// element, re-parsed from the bytes that were verified, and what Varco knows of the service.
struct TrustedMessage {
    let root: XMLNode
    let party: RelyingParty
    let metadata: ServiceProviderMetadata
    let signed: Bool

    static func establish(_ message: InboundMessage, element: String, relyingParties: any RelyingPartyStore,
                          metadataCache: MetadataCache, signatureRequired: Bool) async throws -> Result<TrustedMessage, Refusal> {
        try await establish(message, element: element, relyingParties: relyingParties, metadataCache: metadataCache,
                            signatureRequired: { _, _ in signatureRequired })
    }

    /// As above, when whether a signature is required depends on the service (its metadata and settings).
    static func establish(_ message: InboundMessage, element: String, relyingParties: any RelyingPartyStore, metadataCache: MetadataCache,
                          signatureRequired: (ServiceProviderMetadata, RelyingPartySettings) -> Bool) async throws -> Result<TrustedMessage, Refusal> {
        // 1. Well-formed, safe XML (no DOCTYPE, no entities) whose root is `element` with exactly one Issuer.
        let document: XMLDocument
        do { document = try XMLDocument(bytes: message.xml) } catch {
            return .failure(Refusal(.malformedMessage, "unparseable \(element): \(error)"))
        }
        guard document.root.isElement(element, namespace: SAMLNamespace.protocol_) else {
            return .failure(Refusal(.malformedMessage, "not a \(element)"))
        }
        let issuers = document.root.children("Issuer", namespace: SAMLNamespace.assertion)
        guard issuers.count == 1 else { return .failure(Refusal(.malformedMessage, "\(element) without exactly one Issuer")) }
        let claimedIssuer = issuers[0].text.trimmingCharacters(in: .whitespacesAndNewlines)
        // 2. The issuer is a registered, enabled service provider.
        guard let party = try await relyingParties.find(id: claimedIssuer), party.kind == .samlServiceProvider else {
            return .failure(Refusal(.unknownService, "issuer not registered", serviceProvider: claimedIssuer))
        }
        guard party.enabled else { return .failure(Refusal(.disabledService, "service disabled", serviceProvider: claimedIssuer)) }
        let cached: MetadataCache.Entry
        do { cached = try metadataCache.entry(for: party.id, xml: party.metadata) } catch {
            return .failure(Refusal(.unknownService, "stored metadata unreadable: \(error)", serviceProvider: claimedIssuer))
        }
        // 3. Signature, with the metadata's keys only (SAML bindings §3.4.4.1 detached, §3.5.4 enveloped).
        if let detached = message.redirectSignature {
            if detached.algorithm == .rsaSHA1 && !party.settings.allowLegacySHA1 {
                return .failure(Refusal(.badSignature, "SHA-1 signature from a service not marked legacy", serviceProvider: claimedIssuer))
            }
            guard RawSignature.verify(detached.signature, over: detached.signedOctets, algorithm: detached.algorithm, keys: cached.keys) else {
                return .failure(Refusal(.badSignature, "query-string signature does not verify with the service's metadata keys",
                                        serviceProvider: claimedIssuer))
            }
            return .success(TrustedMessage(root: document.root, party: party, metadata: cached.metadata, signed: true))
        }
        do {
            let verified = try EnvelopedSignature.verify(document.root, keys: cached.keys, allowSHA1: party.settings.allowLegacySHA1)
            return .success(TrustedMessage(root: verified.root, party: party, metadata: cached.metadata, signed: true))
        } catch XMLError.signatureMissing {
            guard !signatureRequired(cached.metadata, party.settings) else {
                return .failure(Refusal(.missingSignature, "unsigned \(element)", serviceProvider: claimedIssuer))
            }
            return .success(TrustedMessage(root: document.root, party: party, metadata: cached.metadata, signed: false))
        } catch {
            return .failure(Refusal(.badSignature, "enveloped signature: \(error)", serviceProvider: claimedIssuer))
        }
    }
}
