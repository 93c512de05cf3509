import Foundation

/// The server-side record of a citizen's single sign-on session. The browser holds only its opaque id.
public struct SSOSession: Codable, Sendable, Equatable {
    public let id: String
    public var citizen: CodiceFiscale
    public var level: LevelOfAssurance
    public var method: AuthenticationMethod
    public var authInstant: Date
    public let created: Date
    public var lastSeen: Date
    /// Every service reached in this session, for single logout.
    public var services: [ServiceVisit]
    /// The SPID/CIE login this session came from, if any: single logout ends it upstream too
    /// (see `UpstreamLogin`). Nil for local methods and for sessions stored before it existed.
    public var upstream: UpstreamLogin?
    /// Set when the session ends by logout: from then on it answers no service, and the record lives on
    /// only to carry the logout to every participant (see `SingleLogout`).
    public var logout: SingleLogout?

    /// Whether a logout has ended this session.
    public var isEnded: Bool { logout != nil }

    public init(id: String, result: AuthnResult, now: Date) {
        self.id = id
        self.citizen = result.citizen
        self.level = result.level
        self.method = result.method
        self.authInstant = result.instant
        self.created = now
        self.lastSeen = now
        self.services = []
        self.upstream = result.upstream
    }

    /// Whether the session is still usable under the policy at `now`.
    public func isAlive(at now: Date, policy: SessionPolicy) -> Bool {
        !isEnded && now < lastSeen.addingTimeInterval(policy.idleTimeout) && now < created.addingTimeInterval(policy.absoluteTimeout)
    }

    /// A session that continues after a new proof (step-up or forced login): same citizen, the
    /// services already reached kept for single logout, the id renewed against session fixation.
    public func renewed(id: String, with result: AuthnResult, now: Date) -> SSOSession {
        var next = SSOSession(id: id, result: result, now: now)
        if result.citizen == citizen {
            next.level = max(level, result.level)
            next.services = services
            if next.upstream == nil { next.upstream = upstream }
        }
        return next
    }

    /// Records an answer sent to a service, replacing an earlier visit to the same service.
    public mutating func record(_ visit: ServiceVisit) {
        services.removeAll { $0.relyingParty == visit.relyingParty && $0.protocolName == visit.protocolName }
        services.append(visit)
    }
}

/// A service reached in a session: what single logout needs to reach it again.
public struct ServiceVisit: Codable, Sendable, Equatable {
    public var relyingParty: String
    public var protocolName: String
    public var nameID: String
    public var nameIDFormat: String
    public var sessionIndex: String
    public var instant: Date

    public init(relyingParty: String, protocolName: String, nameID: String, nameIDFormat: String,
                sessionIndex: String, instant: Date) {
        self.relyingParty = relyingParty
        self.protocolName = protocolName
        self.nameID = nameID
        self.nameIDFormat = nameIDFormat
        self.sessionIndex = sessionIndex
        self.instant = instant
    }
}

public struct SessionPolicy: Sendable, Equatable {
    public var idleTimeout: TimeInterval
    public var absoluteTimeout: TimeInterval

    public init(idleTimeout: TimeInterval = 30 * 60, absoluteTimeout: TimeInterval = 8 * 3600) {
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
    }
}
