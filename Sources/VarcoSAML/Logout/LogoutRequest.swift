import Foundation
import VarcoXML

/// A samlp:LogoutRequest (SAML core §3.7.1), read from a document already trusted by the caller.
public struct LogoutRequest: Sendable, Equatable {
    public var id: String
    public var version: String
    public var issueInstant: Date?
    public var destination: String?
    public var notOnOrAfter: Date?
    public var issuer: String
    public var nameID: String
    public var nameIDFormat: String?
    /// Zero or more: without any, the request is for every session of the principal (§3.7.1).
    public var sessionIndexes: [String]

    public enum Invalid: Error, Equatable {
        case notALogoutRequest
        case missing(String)
        case badValue(String)
    }

    public init(_ root: XMLNode) throws(Invalid) {
        guard root.isElement("LogoutRequest", namespace: SAMLNamespace.protocol_) else { throw .notALogoutRequest }
        guard let id = root.attribute("ID"), !id.isEmpty else { throw .missing("ID") }
        guard let version = root.attribute("Version") else { throw .missing("Version") }
        let issuers = root.children("Issuer", namespace: SAMLNamespace.assertion)
        guard issuers.count == 1, !issuers[0].text.isEmpty else { throw .missing("Issuer") }
        // One identifier of the principal; an EncryptedID is not supported (Varco never encrypts NameIDs).
        guard root.children("BaseID", namespace: SAMLNamespace.assertion).isEmpty,
              root.children("EncryptedID", namespace: SAMLNamespace.assertion).isEmpty else { throw .badValue("identifier") }
        let nameIDs = root.children("NameID", namespace: SAMLNamespace.assertion)
        guard nameIDs.count == 1 else { throw .missing("NameID") }
        let nameID = nameIDs[0].text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !nameID.isEmpty else { throw .missing("NameID") }
        self.id = id
        self.version = version
        self.issueInstant = root.attribute("IssueInstant").flatMap(SAMLTime.parse)
        self.destination = root.attribute("Destination")
        if let raw = root.attribute("NotOnOrAfter") {
            guard let date = SAMLTime.parse(raw) else { throw .badValue("NotOnOrAfter") }
            self.notOnOrAfter = date
        }
        self.issuer = issuers[0].text.trimmingCharacters(in: .whitespacesAndNewlines)
        self.nameID = nameID
        self.nameIDFormat = nameIDs[0].attribute("Format")
        self.sessionIndexes = root.children("SessionIndex", namespace: SAMLNamespace.protocol_)
            .map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}

/// A samlp:LogoutResponse (SAML core §3.7.2 with the StatusResponseType of §3.2.2).
public struct LogoutResponse: Sendable, Equatable {
    public var id: String
    public var inResponseTo: String?
    public var destination: String?
    public var issuer: String
    public var status: String
    public var subStatus: String?

    public init(_ root: XMLNode) throws(LogoutRequest.Invalid) {
        guard root.isElement("LogoutResponse", namespace: SAMLNamespace.protocol_) else { throw .notALogoutRequest }
        guard let id = root.attribute("ID"), !id.isEmpty else { throw .missing("ID") }
        let issuers = root.children("Issuer", namespace: SAMLNamespace.assertion)
        guard issuers.count == 1, !issuers[0].text.isEmpty else { throw .missing("Issuer") }
        guard let status = try? root.child("Status", namespace: SAMLNamespace.protocol_),
              let code = try? status.child("StatusCode", namespace: SAMLNamespace.protocol_), let value = code.attribute("Value") else {
            throw .missing("StatusCode")
        }
        self.id = id
        self.inResponseTo = root.attribute("InResponseTo")
        self.destination = root.attribute("Destination")
        self.issuer = issuers[0].text.trimmingCharacters(in: .whitespacesAndNewlines)
        self.status = value
        self.subStatus = (try? code.child("StatusCode", namespace: SAMLNamespace.protocol_))??.attribute("Value")
    }

    public var isSuccess: Bool { status == SAMLStatus.TopLevel.success.rawValue }
}
