import Foundation
import VarcoCore
import VarcoSAML
import VarcoXML

/// The AuthnRequest Varco sends to a SPID or CIE identity provider (SPID rules, "single sign-on";
/// CIE manual, "protocolli"). Built as a string, parsed back before signing.
public struct UpstreamAuthnRequest: UpstreamOutboundMessage, Equatable {
    public static let parameter = "SAMLRequest"
    /// An NCName: starts with `_`.
    public var id: String
    public var issueInstant: Date
    public var issuer: String
    /// The provider's SingleSignOnService Location for the binding used (never its entityID).
    public var destination: String
    public var level: LevelOfAssurance
    /// `minimum` by default: a higher level is always acceptable. Never `better` (an IdP answering
    /// the requested level would then fail).
    public var comparison: String
    /// Index of the AttributeConsumingService in Varco's metadata.
    public var attributeConsumingServiceIndex: Int
    public var kind: UpstreamLogin.Kind

    public init(id: String, issueInstant: Date, issuer: String, destination: String, level: LevelOfAssurance,
                comparison: String = "minimum", attributeConsumingServiceIndex: Int = 0, kind: UpstreamLogin.Kind) {
        self.id = id
        self.issueInstant = issueInstant
        self.issuer = issuer
        self.destination = destination
        self.level = level
        self.comparison = comparison
        self.attributeConsumingServiceIndex = attributeConsumingServiceIndex
        self.kind = kind
    }

    /// SPID: ForceAuthn is mandatory for SpidL2 and SpidL3. CIE: always.
    public var forceAuthn: Bool { kind == .cie || level > .spidL1 }

    public func xml() -> String {
        let e = XMLEscape.text
        let force = forceAuthn ? " ForceAuthn=\"true\"" : ""
        // No IsPassive (IdP error nr15), no AllowCreate (Avviso 5), no Scoping; Issuer NameQualifier = entityID.
        return "<samlp:AuthnRequest xmlns:samlp=\"\(SAMLNamespace.protocol_)\" xmlns:saml=\"\(SAMLNamespace.assertion)\" "
            + "ID=\"\(e(id))\" Version=\"2.0\" IssueInstant=\"\(SPIDTime.format(issueInstant))\" Destination=\"\(e(destination))\"\(force) "
            + "AssertionConsumerServiceIndex=\"0\" AttributeConsumingServiceIndex=\"\(attributeConsumingServiceIndex)\">"
            + "<saml:Issuer Format=\"\(NameIDFormat.entity)\" NameQualifier=\"\(e(issuer))\">\(e(issuer))</saml:Issuer>"
            + "<samlp:NameIDPolicy Format=\"\(NameIDFormat.transient)\"/>"
            + "<samlp:RequestedAuthnContext Comparison=\"\(e(comparison))\"><saml:AuthnContextClassRef>\(level.uri)"
            + "</saml:AuthnContextClassRef></samlp:RequestedAuthnContext></samlp:AuthnRequest>"
    }
}

/// UTC times with milliseconds, as the SPID examples write them (`2017-03-05T18:03:10.531Z`).
public enum SPIDTime {
    public static func format(_ date: Date) -> String {
        let total = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = total >= 0 ? total / 1000 : (total - 999) / 1000
        let whole = SAMLTime.format(Date(timeIntervalSince1970: Double(seconds)))
        return String(whole.dropLast()) + String(format: ".%03dZ", Int(total - seconds * 1000))
    }
}
