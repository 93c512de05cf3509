import Foundation
import VarcoCore
import VarcoXML

/// Turns an inbound AuthnRequest into a login, an error response, or a refusal, running the checks of
/// SAML core §3.4.1 and the bindings §3.4.5/§3.5.5 in order. Every check fails closed.
public struct AuthnRequestReceiver: Sendable {
    public var configuration: IdentityProviderConfiguration
    public var relyingParties: any RelyingPartyStore
    public var replay: any ReplayCache
    public var clock: any WallClock
    public var metadataCache: MetadataCache

    public init(configuration: IdentityProviderConfiguration, relyingParties: any RelyingPartyStore,
                replay: any ReplayCache, clock: any WallClock, metadataCache: MetadataCache = MetadataCache()) {
        self.configuration = configuration
        self.relyingParties = relyingParties
        self.replay = replay
        self.clock = clock
        self.metadataCache = metadataCache
    }

    public func receive(_ message: InboundMessage) async throws -> RequestOutcome {
        // 1–3. Safe XML whose root is an AuthnRequest with one Issuer, a registered and enabled service, and a
        // signature with its metadata's keys only (required when its metadata or settings say so); the message
        // is read from what was signed.
        let trusted: TrustedMessage
        let everyRequestSigned = configuration.requireSignedRequests
        switch try await TrustedMessage.establish(message, element: "AuthnRequest", relyingParties: relyingParties, metadataCache: metadataCache,
                                                  signatureRequired: { metadata, settings in
                                                      metadata.authnRequestsSigned || settings.requireSignedRequests || everyRequestSigned
                                                  }) {
        case .success(let message): trusted = message
        case .failure(let refusal): return .refuse(refusal)
        }
        let party = trusted.party
        let metadata = trusted.metadata
        let request: AuthnRequest
        do { request = try AuthnRequest(trusted.root) } catch {
            return .refuse(Refusal(.malformedMessage, "invalid AuthnRequest: \(error)", serviceProvider: party.id))
        }
        // 4. Where to answer: only an AssertionConsumerService from the metadata (SAML core §3.4.1).
        if request.assertionConsumerServiceIndex != nil && request.assertionConsumerServiceURL != nil {
            return .refuse(Refusal(.unknownAssertionConsumerService, "both ACS index and URL", serviceProvider: request.issuer))
        }
        guard let acs = metadata.assertionConsumerService(index: request.assertionConsumerServiceIndex,
                                                         url: request.assertionConsumerServiceURL,
                                                         binding: request.protocolBinding) else {
            return .refuse(Refusal(.unknownAssertionConsumerService, "ACS not in metadata", serviceProvider: request.issuer))
        }
        // An encrypting service whose metadata lost its key would get no assertion: stop before the citizen signs in.
        if party.settings.encryptAssertion && metadata.encryptionKey() == nil {
            return .refuse(Refusal(.noEncryptionKey, "encryption on, no encryption certificate in the metadata", serviceProvider: party.id))
        }
        // From here the service is trusted: problems are answered to it with a SAML status.
        let reply = { (status: SAMLStatus) in
            RequestOutcome.respond(SAMLErrorReply(serviceProvider: request.issuer, destination: acs.location,
                                                  inResponseTo: request.id, relayState: message.relayState, status: status))
        }
        // 5. Version (SAML core §3.4.1 / §4.1.3).
        guard request.version == "2.0" else { return reply(SAMLStatus(.versionMismatch, message: "Only SAML 2.0 is supported")) }
        // 6. Destination: required on signed messages (bindings §3.4.5.2, §3.5.5.2), must be this endpoint.
        let signed = trusted.signed
        if let destination = request.destination {
            guard destination == configuration.ssoURL else {
                return reply(SAMLStatus(.requester, message: "Destination does not match the SSO endpoint"))
            }
        } else if signed {
            return reply(SAMLStatus(.requester, message: "A signed request must carry a Destination"))
        }
        // 7. Freshness.
        let now = clock.now()
        guard let instant = request.issueInstant else { return reply(SAMLStatus(.requester, message: "IssueInstant missing or invalid")) }
        guard instant <= now.addingTimeInterval(configuration.clockSkew),
              instant >= now.addingTimeInterval(-configuration.requestLifetime - configuration.clockSkew) else {
            return reply(SAMLStatus(.requester, message: "IssueInstant outside the accepted window"))
        }
        // 8. Replay: a request ID is accepted once per service.
        let expires = instant.addingTimeInterval(configuration.requestLifetime + 2 * configuration.clockSkew)
        guard try await replay.consume("saml-request|\(request.issuer)|\(request.id)", expires: expires, now: now) else {
            return .refuse(Refusal(.replayedRequest, "request ID \(request.id) already used", serviceProvider: request.issuer))
        }
        // 9. NameIDPolicy.
        let format: String
        switch request.nameIDPolicyFormat {
        case nil, NameIDFormat.unspecified?:  // the service's setting decides
            format = party.settings.defaultNameIDFormat == .persistent ? NameIDFormat.persistent : NameIDFormat.transient
        case NameIDFormat.transient?: format = NameIDFormat.transient
        case NameIDFormat.persistent?: format = NameIDFormat.persistent
        default: return reply(SAMLStatus(.requester, .invalidNameIDPolicy, message: "Supported NameID formats: transient, persistent"))
        }
        // 10. Level of assurance.
        guard var levels = AuthnContextMapping.acceptableLevels(request.requestedAuthnContext) else {
            return reply(SAMLStatus(.requester, .noAuthnContext, message: "No supported authentication context requested"))
        }
        if let minimum = party.settings.minimumLevel { levels = levels.filter { $0 >= minimum } }
        guard !levels.isEmpty else {
            return reply(SAMLStatus(.requester, .noAuthnContext, message: "The requested level is below the service's minimum"))
        }
        return .login(SAMLLoginRequest(
            requestID: request.id, serviceProvider: request.issuer, assertionConsumerServiceURL: acs.location,
            relayState: message.relayState, nameIDFormat: format,
            attributeConsumingServiceIndex: request.attributeConsumingServiceIndex,
            requirement: LoginRequirement(acceptableLevels: levels, forceAuthn: request.forceAuthn || party.settings.alwaysForceAuthn,
                                          isPassive: request.isPassive)))
    }
}
