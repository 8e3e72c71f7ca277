import Foundation
import Synchronization

/// The engine's source of time, injectable so that tests never sleep.
public protocol EngineClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The wall clock.
public struct SystemClock: EngineClock {
    /// The wall clock.
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told: for tests and simulations.
public final class ManualClock: EngineClock {
    private let current: Mutex<Date>

    /// A clock reading `start`.
    public init(_ start: Date) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward (or anywhere).
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }

    /// Moves the clock forward by seconds.
    public func advance(_ seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
