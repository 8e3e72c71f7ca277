import Dispatch
import Foundation
import Logging
import Metrics
import Synchronization

/// A bounded pool of PostgreSQL connections for async Swift code.
///
/// Each connection lives on its own serial dispatch queue: libpq's blocking calls run
/// there, never on Swift's cooperative pool or on a network event loop. A task that
/// finds every connection busy waits, in order, up to the checkout timeout, then fails
/// with ``PostgresError/Code/poolExhausted``. A connection idle for longer than the
/// health-check interval is pinged before use and replaced when the server restarted.
public final class PostgresPool: Sendable {
    /// How a pool connects and how big it may grow.
    public struct Configuration: Sendable {
        /// A libpq connection string or URL.
        public var connectionString: String
        /// The most connections open at once.
        public var size: Int
        /// How long a task waits for a free connection before failing.
        public var checkoutTimeout: Duration
        /// A connection idle at least this long is pinged before use (zero: always).
        public var healthCheckAfterIdle: Duration
        /// Connections of their own for ``read(_:decode:)``, each pipelining the reads queued
        /// while its last batch was in flight (zero: reads borrow a pool connection each).
        public var readConnections: Int
        /// The most reads one pipelined batch carries.
        public var maxReadBatch: Int
        /// Whether ``inlineReadConnection(for:)`` gives each owner (an event loop) a read
        /// connection of its own, whose batches run on the owner's thread.
        public var inlineReads: Bool

        /// A configuration with the defaults the service uses.
        public init(
            connectionString: String, size: Int = 8,
            checkoutTimeout: Duration = .seconds(5), healthCheckAfterIdle: Duration = .seconds(1),
            readConnections: Int = 2, maxReadBatch: Int = 64, inlineReads: Bool = true
        ) {
            self.connectionString = connectionString
            self.size = max(1, size)
            self.checkoutTimeout = checkoutTimeout
            self.healthCheckAfterIdle = healthCheckAfterIdle
            self.readConnections = max(0, readConnections)
            self.maxReadBatch = max(1, maxReadBatch)
            self.inlineReads = inlineReads
        }
    }

    /// How many connections are open, busy, and how many tasks wait.
    public struct Statistics: Sendable, Equatable {
        /// Slots created so far (at most the pool size).
        public var slots: Int
        /// Slots lent out right now.
        public var busy: Int
        /// Tasks waiting for a slot.
        public var waiting: Int
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<PooledConnectionSlot, any Error>
    }

    private struct State {
        var idle: [PooledConnectionSlot] = []
        var created = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
    }

    /// The pool's settings.
    public let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State())
    /// The connections that pipeline ``read(_:decode:)``.
    let readLanes: [ReadLane]
    /// The inline read connections handed out, by owner.
    private let inlineConnections = Mutex<[ObjectIdentifier: InlineReadConnection]>([:])
    /// Checkouts that found every connection busy, and how long they waited (swift-metrics).
    private let waitedCheckouts = Counter(label: "cadreflow_pool_waits_total")
    private let waitTime = Metrics.Timer(label: "cadreflow_pool_wait_seconds")
    private let checkoutTimeouts = Counter(label: "cadreflow_pool_timeouts_total")

    /// Creates a pool; connections open lazily, on first use.
    public init(configuration: Configuration, logger: Logger = Logger(label: "cadreflow.postgres")) {
        self.configuration = configuration
        self.logger = logger
        self.readLanes = (0..<configuration.readConnections).map {
            ReadLane(index: $0, connectionString: configuration.connectionString, maxBatch: configuration.maxReadBatch, logger: logger)
        }
    }

    /// The pool's current counts.
    public var statistics: Statistics {
        state.withLock { state in
            Statistics(slots: state.created, busy: state.created - state.idle.count, waiting: state.waiters.count)
        }
    }

    /// Runs `body` with a connection on the connection's own thread and returns its result.
    ///
    /// A connection found broken afterwards (lost mid-call) is closed and reopened on next use.
    @discardableResult
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let slot = try await checkout()
        defer { release(slot) }
        return try await slot.run(configuration: configuration, logger: logger, body)
    }

    /// Runs `body` in one transaction: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// With `retries` > 0, a serialization failure or deadlock runs the whole body again.
    @discardableResult
    public func withTransaction<T: Sendable>(
        _ isolation: TransactionIsolation = .readCommitted, retries: Int = 0,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await withConnection { connection in
                    try connection.transaction(isolation, body)
                }
            } catch let error as PostgresError where error.isRetryable && attempt < retries {
                attempt += 1
                logger.debug("retrying transaction", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
            }
        }
    }

    /// Closes the pool: waiting tasks fail, idle connections close now, busy ones when released.
    public func close() {
        let (waiters, idle) = state.withLock { state -> ([Waiter], [PooledConnectionSlot]) in
            state.closed = true
            let waiters = state.waiters
            let idle = state.idle
            state.waiters.removeAll()
            state.idle.removeAll()
            return (waiters, idle)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(code: .poolClosed, message: "the connection pool is closed"))
        }
        for slot in idle { slot.closeConnection() }
        for lane in readLanes { lane.close() }
        for connection in inlineConnections.withLock({ Array($0.values) }) { connection.close() }
    }

    /// The read connection of `owner` (an event loop, which must live as long as the
    /// pool), made on first use; nil when ``Configuration/inlineReads`` is off. Its
    /// batches run on the owner's thread (``InlineReadConnection``); it closes with the pool.
    public func inlineReadConnection(for owner: ObjectIdentifier) -> InlineReadConnection? {
        guard configuration.inlineReads else { return nil }
        return inlineConnections.withLock { connections in
            if let known = connections[owner] { return known }
            let made = InlineReadConnection(connectionString: configuration.connectionString, logger: logger)
            if state.withLock({ $0.closed }) { made.close() }
            connections[owner] = made
            return made
        }
    }

    private func checkout() async throws -> PooledConnectionSlot {
        enum Decision { case slot(PooledConnectionSlot), create, wait, closed }
        let decision = state.withLock { state -> Decision in
            if state.closed { return .closed }
            if let slot = state.idle.popLast() { return .slot(slot) }
            if state.created < configuration.size {
                state.created += 1
                return .create
            }
            return .wait
        }
        switch decision {
        case .slot(let slot):
            return slot
        case .create:
            let index = state.withLock { $0.created }
            return PooledConnectionSlot(label: "cadreflow.postgres.\(index)")
        case .closed:
            throw PostgresError(code: .poolClosed, message: "the connection pool is closed")
        case .wait:
            waitedCheckouts.increment()
            let started = ContinuousClock.now
            defer { waitTime.record(duration: ContinuousClock.now - started) }
            return try await waitForSlot()
        }
    }

    private func waitForSlot() async throws -> PooledConnectionSlot {
        let timeout = configuration.checkoutTimeout
        let size = configuration.size
        return try await withCheckedThrowingContinuation { continuation in
            let immediate = state.withLock { state -> Result<PooledConnectionSlot, PostgresError>? in
                if state.closed { return .failure(PostgresError(code: .poolClosed, message: "the connection pool is closed")) }
                if let slot = state.idle.popLast() { return .success(slot) }
                let id = state.nextWaiterID
                state.nextWaiterID += 1
                state.waiters.append(Waiter(id: id, continuation: continuation))
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.expireWaiter(id, size: size, timeout: timeout)
                }
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    private func expireWaiter(_ id: UInt64, size: Int, timeout: Duration) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        if waiter != nil { checkoutTimeouts.increment() }
        waiter?.continuation.resume(throwing: PostgresError(
            code: .poolExhausted,
            message: "all \(size) database connections stayed busy for \(timeout); try again later"
        ))
    }

    private func release(_ slot: PooledConnectionSlot) {
        let (waiter, closeIt) = state.withLock { state -> (Waiter?, Bool) in
            if state.closed { return (nil, true) }
            if !state.waiters.isEmpty { return (state.waiters.removeFirst(), false) }
            state.idle.append(slot)
            return (nil, false)
        }
        if let waiter {
            waiter.continuation.resume(returning: slot)
        } else if closeIt {
            slot.closeConnection()
        }
    }
}
