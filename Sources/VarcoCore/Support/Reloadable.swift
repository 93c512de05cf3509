import Synchronization

/// A value read at each use and replaced while Varco runs: the signing keys, which a rollover step changes
/// without a restart. Readers get the whole old value or the whole new one, never a mix.
public final class Reloadable<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    public init(_ value: Value) {
        self.value = Mutex(value)
    }

    public var current: Value { value.withLock { $0 } }

    public func replace(with newValue: Value) {
        value.withLock { $0 = newValue }
    }
}
