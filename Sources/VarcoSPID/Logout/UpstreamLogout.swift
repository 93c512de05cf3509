import Foundation
import VarcoCore
import VarcoSAML
import VarcoXML

/// Ending the citizen's session at the national identity provider when Varco's session ends.
/// SPID: a signed LogoutRequest (SAML core §3.7) to the provider's SingleLogoutService, answered by a
/// LogoutResponse at Varco's SingleLogoutService. CIE has no SAML single logout, only a "simple logout":
/// the browser is sent to the provider's logout page.
public struct UpstreamLogoutRequest: UpstreamOutboundMessage, Equatable {
    public static let parameter = "SAMLRequest"
    public var id: String
    public var issueInstant: Date
    public var issuer: String
    public var destination: String
    public var login: UpstreamLogin

    public init(id: String, issueInstant: Date, issuer: String, destination: String, login: UpstreamLogin) {
        self.id = id
        self.issueInstant = issueInstant
        self.issuer = issuer
        self.destination = destination
        self.login = login
    }

    public func xml() -> String {
        let e = XMLEscape.text
        let qualifier = login.nameQualifier.map { " NameQualifier=\"\(e($0))\"" } ?? ""
        let index = login.sessionIndex.map { "<samlp:SessionIndex>\(e($0))</samlp:SessionIndex>" } ?? ""
        return "<samlp:LogoutRequest xmlns:samlp=\"\(SAMLNamespace.protocol_)\" xmlns:saml=\"\(SAMLNamespace.assertion)\" "
            + "ID=\"\(e(id))\" Version=\"2.0\" IssueInstant=\"\(SPIDTime.format(issueInstant))\" Destination=\"\(e(destination))\">"
            + "<saml:Issuer Format=\"\(NameIDFormat.entity)\" NameQualifier=\"\(e(issuer))\">\(e(issuer))</saml:Issuer>"
            + "<saml:NameID Format=\"\(e(login.nameIDFormat))\"\(qualifier)>\(e(login.nameID))</saml:NameID>\(index)"
            + "</samlp:LogoutRequest>"
    }
}

/// Checks of the LogoutResponse a SPID provider sends back (SAML core §3.7.2): signed with its
/// metadata key (enveloped for POST, query string for Redirect), Issuer, Destination, InResponseTo.
public struct UpstreamLogoutResponseValidator: Sendable {
    public var endpoints: ServiceProviderEndpoints

    public init(endpoints: ServiceProviderEndpoints) { self.endpoints = endpoints }

    /// - Parameter message: the decoded message; a Redirect message must carry its query signature.
    /// - Returns: whether the provider reports success.
    public func validate(_ message: InboundMessage, expected requestID: String,
                         provider: UpstreamIdentityProvider) throws(UpstreamResponseFailure) -> Bool {
        let document: XMLDocument
        do { document = try XMLDocument(bytes: message.xml) } catch { throw .malformed("\(error)") }
        guard document.root.isElement("LogoutResponse", namespace: SAMLNamespace.protocol_) else {
            throw .malformed("not a LogoutResponse")
        }
        var root = document.root
        if let signature = message.redirectSignature {
            guard RawSignature.verify(signature.signature, over: signature.signedOctets, algorithm: signature.algorithm,
                                      keys: provider.keys), signature.algorithm != .rsaSHA1 else {
                throw .signature("the query-string signature does not verify with the provider's metadata keys")
            }
        } else {
            do { root = try EnvelopedSignature.verify(document.root, keys: provider.keys).root } catch {
                throw .signature("LogoutResponse: \(error)")
            }
        }
        guard root.attribute("InResponseTo") == requestID else { throw .mismatch("LogoutResponse InResponseTo") }
        guard root.attribute("Destination") == endpoints.singleLogoutServiceURL else { throw .mismatch("LogoutResponse Destination") }
        guard (try? root.child("Issuer", namespace: SAMLNamespace.assertion))??.text == provider.entityID else {
            throw .mismatch("LogoutResponse Issuer")
        }
        let code = (try? (try? root.child("Status", namespace: SAMLNamespace.protocol_))??.child("StatusCode", namespace: SAMLNamespace.protocol_))??
            .attribute("Value")
        return code == SAMLStatus.TopLevel.success.rawValue
    }
}

/// A LogoutRequest a SPID provider sends when the citizen's session ends there (provider-initiated
/// single logout, SAML core §3.7.1): checked here, answered with `UpstreamLogoutResponse`.
public struct UpstreamLogoutRequestReceived: Sendable, Equatable {
    public var id: String
    public var identityProvider: String
    public var nameID: String
    public var sessionIndexes: [String]

    /// Checks the message: a LogoutRequest from `provider` (its Issuer), signed with the provider's
    /// metadata key (query string for Redirect, enveloped for POST), for this SingleLogoutService.
    public static func read(_ message: InboundMessage, provider: UpstreamIdentityProvider,
                            endpoints: ServiceProviderEndpoints) throws(UpstreamResponseFailure) -> UpstreamLogoutRequestReceived {
        let document: XMLDocument
        do { document = try XMLDocument(bytes: message.xml) } catch { throw .malformed("\(error)") }
        var root = document.root
        guard root.isElement("LogoutRequest", namespace: SAMLNamespace.protocol_) else { throw .malformed("not a LogoutRequest") }
        if let signature = message.redirectSignature {
            guard signature.algorithm != .rsaSHA1,
                  RawSignature.verify(signature.signature, over: signature.signedOctets, algorithm: signature.algorithm, keys: provider.keys) else {
                throw .signature("the query-string signature does not verify with the provider's metadata keys")
            }
        } else {
            do { root = try EnvelopedSignature.verify(document.root, keys: provider.keys).root } catch {
                throw .signature("LogoutRequest: \(error)")
            }
        }
        let a = SAMLNamespace.assertion
        guard let id = root.attribute("ID"), !id.isEmpty, root.attribute("Version") == "2.0" else { throw .malformed("LogoutRequest ID/Version") }
        guard (try? root.child("Issuer", namespace: a))??.text == provider.entityID else { throw .mismatch("LogoutRequest Issuer") }
        if let destination = root.attribute("Destination"), destination != endpoints.singleLogoutServiceURL {
            throw .mismatch("LogoutRequest Destination")
        }
        guard let nameID = (try? root.child("NameID", namespace: a))??.text, !nameID.isEmpty else { throw .malformed("LogoutRequest NameID") }
        let indexes = root.children("SessionIndex", namespace: SAMLNamespace.protocol_).map(\.text)
        return UpstreamLogoutRequestReceived(id: id, identityProvider: provider.entityID, nameID: nameID, sessionIndexes: indexes)
    }

    /// Whether the request names this upstream login (same provider and NameID; a SessionIndex, if
    /// given, among those listed).
    public func names(_ login: UpstreamLogin) -> Bool {
        login.identityProvider == identityProvider && login.nameID == nameID
            && (sessionIndexes.isEmpty || login.sessionIndex.map(sessionIndexes.contains) == true)
    }
}

/// Varco's signed LogoutResponse to a provider-initiated LogoutRequest.
public struct UpstreamLogoutResponse: UpstreamOutboundMessage, Equatable {
    public static let parameter = "SAMLResponse"
    public var id: String
    public var issueInstant: Date
    public var issuer: String
    public var destination: String
    public var inResponseTo: String

    public init(id: String, issueInstant: Date, issuer: String, destination: String, inResponseTo: String) {
        self.id = id
        self.issueInstant = issueInstant
        self.issuer = issuer
        self.destination = destination
        self.inResponseTo = inResponseTo
    }

    public func xml() -> String {
        let e = XMLEscape.text
        return "<samlp:LogoutResponse xmlns:samlp=\"\(SAMLNamespace.protocol_)\" xmlns:saml=\"\(SAMLNamespace.assertion)\" "
            + "ID=\"\(e(id))\" Version=\"2.0\" IssueInstant=\"\(SPIDTime.format(issueInstant))\" Destination=\"\(e(destination))\" "
            + "InResponseTo=\"\(e(inResponseTo))\"><saml:Issuer Format=\"\(NameIDFormat.entity)\" NameQualifier=\"\(e(issuer))\">"
            + "\(e(issuer))</saml:Issuer><samlp:Status><samlp:StatusCode Value=\"\(SAMLStatus.TopLevel.success.rawValue)\"/>"
            + "</samlp:Status></samlp:LogoutResponse>"
    }
}
