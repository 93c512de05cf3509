import Foundation
import VarcoXML

/// Service-provider side checks of a SAML Response (SAML profiles §4.1.4.3), used by the demo services
/// and by Varco as a SAML service provider toward upstream identity providers. Reads only from signed
/// content; every check fails closed.
public struct ResponseValidator: Sendable {
    public var serviceProvider: String
    public var assertionConsumerServiceURL: String
    public var identityProvider: String
    public var keys: [XMLVerificationKey]
    public var clockSkew: TimeInterval
    /// The service's private key, to open an EncryptedAssertion; nil: only clear assertions are accepted.
    public var decryptionKey: XMLDecryptionKey?

    public init(serviceProvider: String, assertionConsumerServiceURL: String, identityProvider: String,
                keys: [XMLVerificationKey], clockSkew: TimeInterval = 180, decryptionKey: XMLDecryptionKey? = nil) {
        self.serviceProvider = serviceProvider
        self.assertionConsumerServiceURL = assertionConsumerServiceURL
        self.identityProvider = identityProvider
        self.keys = keys
        self.clockSkew = clockSkew
        self.decryptionKey = decryptionKey
    }

    public struct Login: Sendable, Equatable {
        public var nameID: String
        public var sessionIndex: String?
        public var authnContextClassRef: String?
        public var attributes: [String: String]
    }

    public enum Failure: Error, Equatable {
        case malformed(String)
        case status(String)
        case signature(String)
        /// An EncryptedAssertion that could not be opened: no key, wrong key, altered, or refused algorithm.
        case decryption(String)
        case mismatch(String)
        case expired
    }

    public func validate(_ xml: [UInt8], inResponseTo expected: String, now: Date) throws(Failure) -> Login {
        let document: XMLDocument
        do { document = try XMLDocument(bytes: xml) } catch { throw .malformed("\(error)") }
        guard document.root.isElement("Response", namespace: SAMLNamespace.protocol_) else { throw .malformed("not a Response") }
        var response = document.root
        var responseSigned = false
        do {
            response = try EnvelopedSignature.verify(document.root, keys: keys).root
            responseSigned = true
        } catch XMLError.signatureMissing {
        } catch { throw .signature("response: \(error)") }
        let code = try? response.child("Status", namespace: SAMLNamespace.protocol_)?.child("StatusCode", namespace: SAMLNamespace.protocol_)
        guard code?.attribute("Value") == SAMLStatus.TopLevel.success.rawValue else {
            throw .status(code?.attribute("Value") ?? "missing")
        }
        guard response.attribute("InResponseTo") == expected else { throw .mismatch("InResponseTo") }
        if let destination = response.attribute("Destination"), destination != assertionConsumerServiceURL {
            throw .mismatch("Destination")
        }
        let clear = response.children("Assertion", namespace: SAMLNamespace.assertion)
        let sealed = response.children("EncryptedAssertion", namespace: SAMLNamespace.assertion)
        guard clear.count + sealed.count == 1 else { throw .malformed("exactly one Assertion expected") }
        // An encrypted assertion is opened first, then its signature checked as a clear one (SAML core §6.2).
        var assertion: XMLNode
        if let sealed = sealed.first {
            guard let decryptionKey else { throw .decryption("an EncryptedAssertion, and no decryption key") }
            do { assertion = try EncryptedAssertion.open(sealed, with: decryptionKey).root } catch { throw .decryption("\(error)") }
        } else {
            assertion = clear[0]
        }
        do {
            assertion = try EnvelopedSignature.verify(assertion, keys: keys).root
        } catch XMLError.signatureMissing {
            guard responseSigned else { throw .signature("neither the response nor the assertion is signed") }
        } catch { throw .signature("assertion: \(error)") }
        return try check(assertion, expected: expected, now: now)
    }

    private func check(_ assertion: XMLNode, expected: String, now: Date) throws(Failure) -> Login {
        let a = SAMLNamespace.assertion
        func one(_ node: XMLNode?, _ name: String) throws(Failure) -> XMLNode {
            guard let node, let found = try? node.child(name, namespace: a) else { throw .malformed("\(name) missing") }
            return found
        }
        guard try one(assertion, "Issuer").text == identityProvider else { throw .mismatch("Issuer") }
        let subject = try one(assertion, "Subject")
        let nameID = try one(subject, "NameID").text
        let confirmation = try one(subject, "SubjectConfirmation")
        guard confirmation.attribute("Method") == "urn:oasis:names:tc:SAML:2.0:cm:bearer" else { throw .mismatch("SubjectConfirmation") }
        let data = try one(confirmation, "SubjectConfirmationData")
        guard data.attribute("Recipient") == assertionConsumerServiceURL else { throw .mismatch("Recipient") }
        guard data.attribute("InResponseTo") == expected else { throw .mismatch("SubjectConfirmationData InResponseTo") }
        guard let until = data.attribute("NotOnOrAfter").flatMap(SAMLTime.parse), now < until.addingTimeInterval(clockSkew) else {
            throw .expired
        }
        let conditions = try one(assertion, "Conditions")
        if let notBefore = conditions.attribute("NotBefore").flatMap(SAMLTime.parse), now < notBefore.addingTimeInterval(-clockSkew) {
            throw .expired
        }
        if let notOnOrAfter = conditions.attribute("NotOnOrAfter").flatMap(SAMLTime.parse), now >= notOnOrAfter.addingTimeInterval(clockSkew) {
            throw .expired
        }
        let audiences = conditions.children("AudienceRestriction", namespace: a).flatMap { $0.children("Audience", namespace: a) }
        guard audiences.contains(where: { $0.text == serviceProvider }) else { throw .mismatch("Audience") }
        let statement = try? assertion.child("AuthnStatement", namespace: a)
        let classRef = (try? statement?.child("AuthnContext", namespace: a)?.child("AuthnContextClassRef", namespace: a))?.text
        var attributes: [String: String] = [:]
        for attribute in assertion.children("AttributeStatement", namespace: a).flatMap({ $0.children("Attribute", namespace: a) }) {
            if let name = attribute.attribute("Name") {
                attributes[name] = attribute.children("AttributeValue", namespace: a).map(\.text).joined(separator: ", ")
            }
        }
        return Login(nameID: nameID, sessionIndex: statement?.attribute("SessionIndex"), authnContextClassRef: classRef,
                     attributes: attributes)
    }
}
