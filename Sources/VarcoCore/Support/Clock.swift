import Foundation

/// Where Varco reads the time. Injected everywhere so that tests run on a fixed clock.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
