import Synchronization

/// The queue in front of a lane (a connection on its own serial queue that takes what
/// waits in batches): the engine's transition lanes and the pool's read lanes share it.
///
/// Items are queued from any thread; the first item queued while the lane is idle tells
/// the caller to start the lane's drain, which then takes batches with ``takeBatch(max:)``
/// until the inbox is empty (and the lane idle again). After ``close()`` nothing more is
/// queued; what waits is still taken.
public final class LaneInbox<Item: Sendable>: Sendable {
    /// What ``add(_:)`` found.
    public enum Admission: Sendable {
        /// Queued; the lane was idle: start its drain.
        case startDrain
        /// Queued behind a drain already running.
        case queued
        /// The lane is closed: nothing was queued.
        case closed
    }

    private struct State {
        var items: [Item] = []
        var draining = false
        var closed = false
    }

    private let state = Mutex(State())

    /// An empty, open inbox.
    public init() {}

    /// Queues items together (they can travel in one batch).
    public func add(_ items: [Item]) -> Admission {
        state.withLock { state in
            if state.closed { return .closed }
            state.items.append(contentsOf: items)
            if state.draining { return .queued }
            state.draining = true
            return .startDrain
        }
    }

    /// The next batch of at most `max` items, oldest first; nil when none waits, and the
    /// lane is then idle (the next ``add(_:)`` starts a drain again).
    public func takeBatch(max: Int) -> [Item]? {
        state.withLock { state in
            if state.items.isEmpty {
                state.draining = false
                return nil
            }
            let count = min(max, state.items.count)
            let batch = Array(state.items.prefix(count))
            state.items.removeFirst(count)
            return batch
        }
    }

    /// Items waiting (not counting a batch being worked on).
    public var waiting: Int { state.withLock { $0.items.count } }

    /// Items waiting, plus one while a drain runs (to pick the least busy lane).
    public var load: Int { state.withLock { $0.items.count + ($0.draining ? 1 : 0) } }

    /// Refuses further items.
    public func close() {
        state.withLock { $0.closed = true }
    }
}
