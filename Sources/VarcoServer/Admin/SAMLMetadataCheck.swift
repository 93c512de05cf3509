import Foundation
import VarcoCore
import VarcoSAML
import VarcoXML

/// The checks a SAML service's metadata passes before it is registered, each failure with its own message.
struct SAMLMetadataCheck: Sendable {
    /// Demo mode lets services on loopback http register.
    let allowLoopbackHTTP: Bool
    /// For certificate validity.
    var now = Date()

    /// The parsed metadata, or every problem found.
    func check(_ xml: String, settings: RelyingPartySettings? = nil) throws(AdminFailure) -> ServiceProviderMetadata {
        let trimmed = xml.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw AdminFailure(.invalid, code: "metadata-missing", "Give the service's SAML metadata: upload the file, paste it, or give its URL.") }
        if trimmed.range(of: "<!DOCTYPE", options: .caseInsensitive) != nil {
            throw AdminFailure(.invalid, code: "metadata-doctype", "The metadata contains a DOCTYPE, which Varco refuses (it could hide entity attacks): remove the DOCTYPE line.")
        }
        let metadata: ServiceProviderMetadata
        do { metadata = try ServiceProviderMetadata(xml: trimmed) } catch {
            throw AdminFailure(.invalid, [Self.problem(error)])
        }
        var problems: [AdminFailure.Problem] = []
        if !allowLoopbackHTTP {
            for endpoint in metadata.assertionConsumerServices where !endpoint.location.hasPrefix("https://") {
                problems.append(.init(code: "acs-not-https", detail: "The AssertionConsumerService \(endpoint.location) is not https: only https addresses are accepted (loopback http only in demo mode)."))
            }
        }
        if !metadata.assertionConsumerServices.contains(where: { $0.binding == SAMLBinding.httpPOST.rawValue }) {
            problems.append(.init(code: "acs-no-post", detail: "No AssertionConsumerService uses the HTTP-POST binding, the one Varco answers with: add one."))
        }
        if metadata.signingCertificates.isEmpty && (metadata.authnRequestsSigned || settings?.requireSignedRequests == true) {
            problems.append(.init(code: "signed-requests-without-key", detail: "The metadata says AuthnRequestsSigned=\"true\" but has no signing certificate: add a KeyDescriptor use=\"signing\" with the service's certificate."))
        }
        for certificate in metadata.signingCertificates {
            guard (try? XMLVerificationKeyCheck.check(certificate)) != nil, let summary = try? CertificateSummary(certificate: certificate) else {
                problems.append(.init(code: "certificate-unusable", detail: "A signing certificate in the metadata cannot be read as an X.509 certificate: replace it."))
                continue
            }
            if summary.notAfter <= now {
                problems.append(.init(code: "certificate-expired", detail: "A signing certificate in the metadata expired on \(ISO8601DateFormatter().string(from: summary.notAfter)): ask the service for metadata with its current certificate."))
            }
            if summary.isWeak {
                problems.append(.init(code: "certificate-weak", detail: "A signing certificate in the metadata has a weak key (\(summary.keyBits) bits): RSA needs at least 2048 bits, EC at least 256."))
            }
        }
        if settings?.encryptAssertion == true { problems += encryptionProblems(metadata) }
        guard problems.isEmpty else { throw AdminFailure(.invalid, problems) }
        return metadata
    }

    /// Why assertions could not be encrypted to this service: no encryption certificate, or one that is unreadable,
    /// not RSA (RSA-OAEP key transport), expired or weak. Empty when encryption can be turned on.
    func encryptionProblems(_ metadata: ServiceProviderMetadata) -> [AdminFailure.Problem] {
        guard !metadata.encryptionCertificates.isEmpty else {
            return [.init(code: "encryption-without-key", detail: "Assertion encryption is asked but the metadata has no encryption certificate: add a KeyDescriptor use=\"encryption\" with the service's certificate, or turn encryption off.")]
        }
        var problems: [AdminFailure.Problem] = []
        let declared = metadata.encryptionMethods
        let content = XMLEncryption.ContentAlgorithm.aes256GCM.rawValue
        if !declared.isEmpty && !declared.contains(content) {
            problems.append(.init(code: "encryption-method-unsupported", detail: "The metadata's EncryptionMethod list does not include \(content): Varco encrypts assertions only with AES-256-GCM (key by RSA-OAEP), so the service could not decrypt them. Ask the service to accept AES-256-GCM, or turn encryption off."))
        }
        if declared.contains(where: { $0.contains("rsa-") }) && !declared.contains(XMLEncryption.keyTransport) {
            problems.append(.init(code: "encryption-method-unsupported", detail: "The metadata's EncryptionMethod list does not include \(XMLEncryption.keyTransport): Varco transports the assertion key only with RSA-OAEP, so the service could not decrypt it."))
        }
        for certificate in metadata.encryptionCertificates {
            guard let summary = try? CertificateSummary(certificate: certificate) else {
                problems.append(.init(code: "encryption-certificate-unusable", detail: "An encryption certificate in the metadata cannot be read as an X.509 certificate: replace it."))
                continue
            }
            if summary.keyType != .rsa {
                problems.append(.init(code: "encryption-certificate-not-rsa", detail: "An encryption certificate in the metadata has no RSA key: Varco transports the assertion key with RSA-OAEP, so the service needs an RSA certificate for encryption."))
            } else if summary.isWeak {
                problems.append(.init(code: "encryption-certificate-weak", detail: "An encryption certificate in the metadata has a weak key (\(summary.keyBits) bits): RSA needs at least 2048 bits."))
            }
            if summary.notAfter <= now {
                problems.append(.init(code: "encryption-certificate-expired", detail: "An encryption certificate in the metadata expired on \(ISO8601DateFormatter().string(from: summary.notAfter)): ask the service for metadata with its current certificate."))
            }
        }
        return problems
    }

    static func problem(_ error: ServiceProviderMetadata.Invalid) -> AdminFailure.Problem {
        switch error {
        case .notXML(let detail) where detail.contains("doctype"):
            .init(code: "metadata-doctype", detail: "The metadata contains a DOCTYPE, which Varco refuses: remove it.")
        case .notXML(let detail) where detail.contains("tooLarge"):
            .init(code: "metadata-too-large", detail: "The metadata is larger than 1 MB: give the document of this one service.")
        case .notXML:
            .init(code: "metadata-not-xml", detail: "The document is not well-formed XML: check that it is the service's SAML metadata file.")
        case .notAnEntityDescriptor:
            .init(code: "metadata-not-entity", detail: "The document is not an md:EntityDescriptor with an entityID: give the service's SAML metadata (an aggregate needs the entity filter).")
        case .noServiceProviderRole:
            .init(code: "metadata-not-sp", detail: "The metadata has no SPSSODescriptor: it does not describe a SAML service provider.")
        case .noAssertionConsumerService:
            .init(code: "acs-missing", detail: "The metadata has no AssertionConsumerService: the service must say where its answers go.")
        case .insecureLocation(let location):
            .init(code: "acs-not-https", detail: "The endpoint \(location) is not https: only https addresses are accepted (loopback http only in demo mode).")
        }
    }
}

/// Reads a certificate the way signature checks will.
enum XMLVerificationKeyCheck {
    static func check(_ base64: String) throws {
        _ = try VarcoXML.XMLVerificationKey(certificate: base64)
    }
}
