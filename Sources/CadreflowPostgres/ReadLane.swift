import Dispatch
import Logging
import Synchronization

/// One reading connection of a ``PostgresPool``'s read lanes: every read queued while its
/// last batch was in flight goes out in the next batch, pipelined (libpq's pipeline mode)
/// as one implicit read-only transaction with one sync, so concurrent reads share one
/// round trip, one flush each way and one wake-up of the server's backend instead of
/// paying one each. A statement that fails aborts the rest of its batch; those are sent
/// again, each on its own, so one bad read never fails another.
///
/// `@unchecked Sendable`: `connection` is touched only by blocks on `queue` (checked by
/// `dispatchPrecondition`); the inbox is guarded by its mutex.
final class ReadLane: @unchecked Sendable {
    /// A queued read: its statement and what to do with its result, on the lane's queue.
    struct Pending {
        let statement: PostgresStatement
        let deliver: @Sendable (Result<PostgresResult, any Error>) -> Void
    }

    private struct Inbox {
        var items: [Pending] = []
        var draining = false
        var closed = false
    }

    private let queue: DispatchQueue
    private let connectionString: String
    private let maxBatch: Int
    private let logger: Logger
    private let inbox = Mutex(Inbox())
    private var connection: PostgresConnection?

    init(index: Int, connectionString: String, maxBatch: Int, logger: Logger) {
        self.queue = DispatchQueue(label: "cadreflow.postgres.read.\(index)")
        self.connectionString = connectionString
        self.maxBatch = max(1, maxBatch)
        self.logger = logger
    }

    /// Reads waiting for this lane (to pick the least busy one).
    var queued: Int { inbox.withLock { $0.items.count + ($0.draining ? 1 : 0) } }

    /// Queues a read; `deliver` runs on the lane's queue with the result.
    func submit(_ pending: Pending) {
        submit([pending])
    }

    /// Queues reads together, so that they travel in one batch (one wake-up of the lane).
    func submit(_ pendings: [Pending]) {
        let (start, closed) = inbox.withLock { inbox -> (Bool, Bool) in
            if inbox.closed { return (false, true) }
            inbox.items.append(contentsOf: pendings)
            if inbox.draining { return (false, false) }
            inbox.draining = true
            return (true, false)
        }
        if closed {
            for pending in pendings { pending.deliver(.failure(PostgresError(code: .poolClosed, message: "the connection pool is closed"))) }
        } else if start {
            queue.async { self.drain() }
        }
    }

    /// Refuses new reads; queued ones still run; the connection closes after them.
    func close() {
        inbox.withLock { $0.closed = true }
        queue.async { self.connection = nil }
    }

    private func drain() {
        dispatchPrecondition(condition: .onQueue(queue))
        while true {
            let batch = inbox.withLock { inbox -> [Pending]? in
                if inbox.items.isEmpty {
                    inbox.draining = false
                    return nil
                }
                let count = min(maxBatch, inbox.items.count)
                let batch = Array(inbox.items.prefix(count))
                inbox.items.removeFirst(count)
                return batch
            }
            guard let batch else { return }
            run(batch)
        }
    }

    private func run(_ batch: [Pending]) {
        do {
            let connection = try liveConnection()
            let results = try connection.pipeline(batch.map(\.statement), mode: .atomic)
            var aborted: [Pending] = []
            for (pending, result) in zip(batch, results) {
                if case .failure(let error) = result, error.code == .pipelineAborted {
                    aborted.append(pending)
                } else {
                    pending.deliver(result.mapError { $0 })
                }
            }
            if !aborted.isEmpty {
                let again = try connection.pipeline(aborted.map(\.statement), mode: .independent)
                for (pending, result) in zip(aborted, again) { pending.deliver(result.mapError { $0 }) }
            }
        } catch {
            // The connection failed under the batch: every read of it fails alike, and the
            // next batch opens a new connection.
            connection = nil
            logger.debug("a read batch failed with its connection", metadata: ["error": "\(error)", "reads": "\(batch.count)"])
            for pending in batch { pending.deliver(.failure(error)) }
        }
    }

    private func liveConnection() throws -> PostgresConnection {
        if let connection, connection.isUsable { return connection }
        connection = nil
        let fresh = try PostgresConnection.connect(connectionString)
        connection = fresh
        return fresh
    }
}
