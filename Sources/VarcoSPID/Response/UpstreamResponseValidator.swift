import Foundation
import VarcoCore
import VarcoSAML
import VarcoXML

/// The checks a SPID/CIE service provider must make on a Response (SPID rules, "processamento della
/// Response"; SAML profiles §4.1.4.3), in that order, each failing closed. Reads the assertion only
/// from the bytes its signature covers, and trusts only the provider's metadata keys (KeyInfo in the
/// message is never used).
public struct UpstreamResponseValidator: Sendable {
    public var endpoints: ServiceProviderEndpoints
    /// Allowance for clocks that disagree, applied to every time window.
    public var clockSkew: TimeInterval

    public init(endpoints: ServiceProviderEndpoints, clockSkew: TimeInterval = 120) {
        self.endpoints = endpoints
        self.clockSkew = clockSkew
    }

    typealias Failure = UpstreamResponseFailure
    private static let p = SAMLNamespace.protocol_
    private static let a = SAMLNamespace.assertion

    /// The InResponseTo of a response, read before any check to find the pending request it answers.
    /// Nil if the bytes are not a SAML Response. Nothing else may be trusted from this.
    public static func inResponseTo(_ xml: [UInt8]) -> String? {
        guard let document = try? XMLDocument(bytes: xml), document.root.isElement("Response", namespace: p) else { return nil }
        return document.root.attribute("InResponseTo")
    }

    /// Checks `xml` as the answer to `request` from `provider` at `now`.
    public func validate(_ xml: [UInt8], request: PendingUpstreamRequest, provider: UpstreamIdentityProvider,
                         now: Date) throws(UpstreamResponseFailure) -> UpstreamAssertion {
        // 1. Parse safely: no DTD, no entities, bounded size; the root is a samlp:Response.
        let document: XMLDocument
        do { document = try XMLDocument(bytes: xml) } catch { throw .malformed("\(error)") }
        guard document.root.isElement("Response", namespace: Self.p) else { throw .malformed("the root is not samlp:Response") }
        guard provider.entityID == request.identityProvider else { throw .mismatch("provider other than the one asked") }

        // 2. The Response signature is optional, but when present it must verify with the metadata keys.
        var response = document.root
        do {
            response = try EnvelopedSignature.verify(document.root, keys: provider.keys).root
        } catch XMLError.signatureMissing {
        } catch { throw .signature("response: \(error)") }

        // 3. Response attributes.
        try checkIdentifiers(response, what: "Response")
        try checkIssueInstant(response, what: "Response", request: request, now: now)
        guard let destination = response.attribute("Destination"), destination == endpoints.assertionConsumerServiceURL else {
            throw .mismatch("Response Destination is not this AssertionConsumerService")
        }
        guard let inResponseTo = response.attribute("InResponseTo"), !inResponseTo.isEmpty, inResponseTo == request.id else {
            throw .mismatch("Response InResponseTo does not name the pending request")
        }

        // 4. Response Issuer: the provider asked; Format absent or entity.
        let issuer = try one(response, "Issuer", Self.a, "Response Issuer")
        guard issuer.text == provider.entityID else { throw .mismatch("Response Issuer is not the provider asked") }
        if let format = issuer.attribute("Format"), format != NameIDFormat.entity { throw .mismatch("Response Issuer Format") }

        // 5. Status: anything but Success ends here with the provider's error (SPID error codes 19-30).
        let status = try one(response, "Status", Self.p, "Status")
        let code = try one(status, "StatusCode", Self.p, "StatusCode")
        guard let value = code.attribute("Value"), !value.isEmpty else { throw .malformed("StatusCode without Value") }
        guard value == SAMLStatus.TopLevel.success.rawValue else {
            let message = (try? status.child("StatusMessage", namespace: Self.p))??.text
            throw .providerStatus(code: value, spidErrorCode: SPIDErrorCode.parse(message))
        }

        // 6. Exactly one Assertion, a direct child, no encrypted ones; no Assertion elsewhere (wrapping).
        let assertions = response.children("Assertion", namespace: Self.a)
        guard assertions.count == 1, response.children("EncryptedAssertion", namespace: Self.a).isEmpty,
              Self.countAssertions(document.root) == 1 else {
            throw .malformed("exactly one Assertion expected")
        }

        // 7. The Assertion must be signed, with the metadata keys; only the signed bytes are read from here on.
        let assertion: XMLNode
        do {
            assertion = try EnvelopedSignature.verify(assertions[0], keys: provider.keys).root
        } catch XMLError.signatureMissing {
            throw .signature("the assertion is not signed")
        } catch { throw .signature("assertion: \(error)") }
        return try check(assertion, request: request, provider: provider, now: now)
    }

    private func check(_ assertion: XMLNode, request: PendingUpstreamRequest, provider: UpstreamIdentityProvider,
                       now: Date) throws(UpstreamResponseFailure) -> UpstreamAssertion {
        let a = Self.a
        // 8. Assertion attributes and Issuer (Format entity mandatory for SPID; CIE may omit it).
        try checkIdentifiers(assertion, what: "Assertion")
        try checkIssueInstant(assertion, what: "Assertion", request: request, now: now)
        let issuer = try one(assertion, "Issuer", a, "Assertion Issuer")
        guard issuer.text == provider.entityID else { throw .mismatch("Assertion Issuer is not the provider asked") }
        switch issuer.attribute("Format") {
        case NameIDFormat.entity?: break
        case nil where request.kind == .cie: break
        default: throw .mismatch("Assertion Issuer Format must be \(NameIDFormat.entity)")
        }

        // 9. Subject: a transient NameID with its NameQualifier, a bearer confirmation for this request.
        let subject = try one(assertion, "Subject", a, "Subject")
        let nameID = try one(subject, "NameID", a, "NameID")
        guard !nameID.text.isEmpty else { throw .malformed("NameID is empty") }
        guard nameID.attribute("Format") == NameIDFormat.transient else { throw .mismatch("NameID Format must be transient") }
        guard let qualifier = nameID.attribute("NameQualifier"), !qualifier.isEmpty else { throw .malformed("NameID without NameQualifier") }
        let confirmation = try one(subject, "SubjectConfirmation", a, "SubjectConfirmation")
        guard confirmation.attribute("Method") == SPIDProfile.bearer else { throw .mismatch("SubjectConfirmation Method must be bearer") }
        let data = try one(confirmation, "SubjectConfirmationData", a, "SubjectConfirmationData")
        guard data.attribute("Recipient") == endpoints.assertionConsumerServiceURL else { throw .mismatch("Recipient") }
        guard let confirmed = data.attribute("InResponseTo"), confirmed == request.id else {
            throw .mismatch("SubjectConfirmationData InResponseTo")
        }
        let confirmationEnd = try time(data, "NotOnOrAfter", "SubjectConfirmationData NotOnOrAfter")
        guard now < confirmationEnd.addingTimeInterval(clockSkew) else { throw .time("SubjectConfirmationData expired") }

        // 10. Conditions: a window containing now, and this service provider as the audience.
        let conditions = try one(assertion, "Conditions", a, "Conditions")
        let notBefore = try time(conditions, "NotBefore", "Conditions NotBefore")
        let notOnOrAfter = try time(conditions, "NotOnOrAfter", "Conditions NotOnOrAfter")
        guard now >= notBefore.addingTimeInterval(-clockSkew) else { throw .time("Conditions NotBefore in the future") }
        guard now < notOnOrAfter.addingTimeInterval(clockSkew) else { throw .time("Conditions expired") }
        let restrictions = conditions.children("AudienceRestriction", namespace: a)
        let audiences = restrictions.flatMap { $0.children("Audience", namespace: a) }.map(\.text)
        guard !restrictions.isEmpty, !audiences.isEmpty, audiences.allSatisfy({ !$0.isEmpty }),
              audiences.contains(endpoints.entityID) else {
            throw .mismatch("Audience is not this service provider")
        }

        // 11. AuthnStatement with a SPID level URI, at least the level asked.
        let statement = try one(assertion, "AuthnStatement", a, "AuthnStatement")
        let context = try one(statement, "AuthnContext", a, "AuthnContext")
        let classRef = try one(context, "AuthnContextClassRef", a, "AuthnContextClassRef").text
        guard let level = LevelOfAssurance(uri: classRef) else { throw .mismatch("AuthnContextClassRef is not a SPID level: \(classRef)") }
        guard Self.acceptable(level, requested: request.requestedLevel, comparison: request.comparison) else {
            throw .level("reached \(level.uri), asked \(request.comparison) \(request.requestedLevel.uri)")
        }

        // 12. Attributes: each statement has attributes, each attribute a value.
        var attributes: [String: String] = [:]
        for attributeStatement in assertion.children("AttributeStatement", namespace: a) {
            let list = attributeStatement.children("Attribute", namespace: a)
            guard !list.isEmpty else { throw .malformed("AttributeStatement without Attribute") }
            for attribute in list {
                let values = attribute.children("AttributeValue", namespace: a)
                guard let name = attribute.attribute("Name"), !name.isEmpty, !values.isEmpty else {
                    throw .malformed("Attribute without Name or value")
                }
                attributes[name] = values.map(\.text).joined(separator: ", ")
            }
        }
        return UpstreamAssertion(identityProvider: provider.entityID, nameID: nameID.text, nameIDFormat: NameIDFormat.transient,
                                 nameQualifier: qualifier, sessionIndex: statement.attribute("SessionIndex"), level: level,
                                 authnInstant: statement.attribute("AuthnInstant").flatMap(SAMLTime.parse), attributes: attributes)
    }

    /// SPID rules, levels: a higher level than asked is always acceptable; the same level unless
    /// `better`; a lower one only for `maximum`.
    public static func acceptable(_ reached: LevelOfAssurance, requested: LevelOfAssurance, comparison: String) -> Bool {
        if reached > requested { return true }
        if reached == requested { return comparison != "better" }
        return comparison == "maximum"
    }

    private func checkIdentifiers(_ node: XMLNode, what: String) throws(UpstreamResponseFailure) {
        guard let id = node.attribute("ID"), !id.isEmpty else { throw .malformed("\(what) without ID") }
        guard node.attribute("Version") == "2.0" else { throw .malformed("\(what) Version is not 2.0") }
    }

    /// IssueInstant: a UTC time, not before the request was sent and not in the future.
    private func checkIssueInstant(_ node: XMLNode, what: String, request: PendingUpstreamRequest, now: Date) throws(UpstreamResponseFailure) {
        let instant = try time(node, "IssueInstant", "\(what) IssueInstant")
        guard instant >= request.issueInstant.addingTimeInterval(-clockSkew) else { throw .time("\(what) IssueInstant before the request") }
        guard instant <= now.addingTimeInterval(clockSkew) else { throw .time("\(what) IssueInstant in the future") }
    }

    private func time(_ node: XMLNode, _ attribute: String, _ what: String) throws(UpstreamResponseFailure) -> Date {
        guard let text = node.attribute(attribute), !text.isEmpty else { throw .time("\(what) missing") }
        guard let date = SAMLTime.parse(text) else { throw .time("\(what) is not a UTC xs:dateTime") }
        return date
    }

    private func one(_ node: XMLNode, _ name: String, _ namespace: String, _ what: String) throws(UpstreamResponseFailure) -> XMLNode {
        guard let found = try? node.child(name, namespace: namespace) else { throw .malformed("\(what) missing or repeated") }
        return found
    }

    private static func countAssertions(_ node: XMLNode) -> Int {
        node.children.reduce(node.isElement("Assertion", namespace: a) ? 1 : 0) { $0 + countAssertions($1) }
    }
}
