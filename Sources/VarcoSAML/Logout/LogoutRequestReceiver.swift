import Foundation
import VarcoCore
import VarcoXML

/// What to do with an inbound LogoutRequest.
public enum LogoutRequestOutcome: Sendable {
    /// Trusted and fresh: the server now matches its NameID and SessionIndex to the browser's SSO session.
    case accept(AcceptedLogoutRequest)
    /// Trusted but unacceptable: answer with this LogoutResponse status at the service's registered endpoint.
    case respond(LogoutReply)
    /// Untrustworthy: an error page, never a redirect.
    case refuse(Refusal)
}

/// A LogoutRequest that passed every check, and where its answer goes.
public struct AcceptedLogoutRequest: Sendable, Equatable {
    public var request: LogoutRequest
    public var relayState: String?
    public var answerTo: ServiceProviderMetadata.Endpoint
    public var displayName: String
}

/// A LogoutResponse still to be built and signed.
public struct LogoutReply: Sendable, Equatable {
    public var serviceProvider: String
    public var endpoint: ServiceProviderMetadata.Endpoint
    public var inResponseTo: String?
    public var relayState: String?
    public var status: SAMLStatus

    public init(serviceProvider: String, endpoint: ServiceProviderMetadata.Endpoint, inResponseTo: String?, relayState: String?,
                status: SAMLStatus) {
        self.serviceProvider = serviceProvider
        self.endpoint = endpoint
        self.inResponseTo = inResponseTo
        self.relayState = relayState
        self.status = status
    }
}

/// Runs the checks of SAML core §3.7.1 and profiles §4.4.4.1 on a LogoutRequest from a service, in order,
/// with the same rules as for AuthnRequests (issuer, signature with the metadata key, destination, time,
/// replay). A LogoutRequest must always be signed: an unsigned one could log anyone out.
public struct LogoutRequestReceiver: Sendable {
    public var configuration: IdentityProviderConfiguration
    public var relyingParties: any RelyingPartyStore
    public var replay: any ReplayCache
    public var clock: any WallClock
    public var metadataCache: MetadataCache

    public init(configuration: IdentityProviderConfiguration, relyingParties: any RelyingPartyStore, replay: any ReplayCache,
                clock: any WallClock, metadataCache: MetadataCache) {
        self.configuration = configuration
        self.relyingParties = relyingParties
        self.replay = replay
        self.clock = clock
        self.metadataCache = metadataCache
    }

    public func receive(_ message: InboundMessage) async throws -> LogoutRequestOutcome {
        // 1–3. Safe XML, a registered and enabled issuer, a signature with its metadata key.
        let trusted: TrustedMessage
        switch try await TrustedMessage.establish(message, element: "LogoutRequest", relyingParties: relyingParties,
                                                  metadataCache: metadataCache, signatureRequired: true) {
        case .success(let message): trusted = message
        case .failure(let refusal): return .refuse(refusal)
        }
        let request: LogoutRequest
        do { request = try LogoutRequest(trusted.root) } catch {
            return .refuse(Refusal(.malformedMessage, "invalid LogoutRequest: \(error)", serviceProvider: trusted.party.id))
        }
        // 4. Where to answer: only a SingleLogoutService from the metadata (profiles §4.4.4.2).
        guard let endpoint = trusted.metadata.browserLogoutService else {
            return .refuse(Refusal(.noLogoutEndpoint, "no HTTP-Redirect or HTTP-POST SingleLogoutService in the metadata",
                                   serviceProvider: request.issuer))
        }
        let reply = { (status: SAMLStatus) in
            LogoutRequestOutcome.respond(LogoutReply(serviceProvider: request.issuer, endpoint: endpoint, inResponseTo: request.id,
                                                     relayState: message.relayState, status: status))
        }
        // 5. Version (SAML core §3.2.1).
        guard request.version == "2.0" else { return reply(SAMLStatus(.versionMismatch, message: "Only SAML 2.0 is supported")) }
        // 6. Destination: required on signed messages (bindings §3.4.5.2, §3.5.5.2), must be this endpoint.
        guard let destination = request.destination, destination == configuration.sloURL else {
            return reply(SAMLStatus(.requester, message: "Destination missing or not the SingleLogoutService endpoint"))
        }
        // 7. Freshness: IssueInstant within the window, NotOnOrAfter not passed (core §3.7.1).
        let now = clock.now()
        guard let instant = request.issueInstant else { return reply(SAMLStatus(.requester, message: "IssueInstant missing or invalid")) }
        guard instant <= now.addingTimeInterval(configuration.clockSkew),
              instant >= now.addingTimeInterval(-configuration.requestLifetime - configuration.clockSkew) else {
            return reply(SAMLStatus(.requester, message: "IssueInstant outside the accepted window"))
        }
        if let notOnOrAfter = request.notOnOrAfter, now >= notOnOrAfter.addingTimeInterval(configuration.clockSkew) {
            return reply(SAMLStatus(.requester, message: "The request has expired (NotOnOrAfter)"))
        }
        // 8. Replay: a request ID is accepted once per service.
        let expires = instant.addingTimeInterval(configuration.requestLifetime + 2 * configuration.clockSkew)
        guard try await replay.consume("saml-logout-request|\(request.issuer)|\(request.id)", expires: expires, now: now) else {
            return .refuse(Refusal(.replayedRequest, "logout request ID \(request.id) already used", serviceProvider: request.issuer))
        }
        return .accept(AcceptedLogoutRequest(request: request, relayState: message.relayState, answerTo: endpoint,
                                             displayName: trusted.metadata.organizationName ?? trusted.party.displayName))
    }
}

/// Checks a LogoutResponse from a service (SAML core §3.7.2): signed with its metadata key, sent to this
/// endpoint. Whether it answers a LogoutRequest Varco sent is decided by the caller, which knows them.
public struct LogoutResponseReceiver: Sendable {
    public var configuration: IdentityProviderConfiguration
    public var relyingParties: any RelyingPartyStore
    public var metadataCache: MetadataCache

    public init(configuration: IdentityProviderConfiguration, relyingParties: any RelyingPartyStore, metadataCache: MetadataCache) {
        self.configuration = configuration
        self.relyingParties = relyingParties
        self.metadataCache = metadataCache
    }

    public func receive(_ message: InboundMessage) async throws -> Result<LogoutResponse, Refusal> {
        let trusted: TrustedMessage
        switch try await TrustedMessage.establish(message, element: "LogoutResponse", relyingParties: relyingParties,
                                                  metadataCache: metadataCache, signatureRequired: true) {
        case .success(let message): trusted = message
        case .failure(let refusal): return .failure(refusal)
        }
        let response: LogoutResponse
        do { response = try LogoutResponse(trusted.root) } catch {
            return .failure(Refusal(.malformedMessage, "invalid LogoutResponse: \(error)", serviceProvider: trusted.party.id))
        }
        // Destination is required on signed messages through the browser (bindings §3.4.5.2, §3.5.5.2), not over SOAP.
        if message.binding == .soap, response.destination == nil {
        } else if response.destination != configuration.sloURL {
            return .failure(Refusal(.malformedMessage, "LogoutResponse Destination missing or not the SingleLogoutService endpoint",
                                    serviceProvider: response.issuer))
        }
        guard response.inResponseTo != nil else {
            return .failure(Refusal(.unsolicitedResponse, "LogoutResponse without InResponseTo", serviceProvider: response.issuer))
        }
        return .success(response)
    }
}
