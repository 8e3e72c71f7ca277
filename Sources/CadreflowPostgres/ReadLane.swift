import Dispatch
import Logging

/// One reading connection of a ``PostgresPool``'s read lanes: every read queued while its
/// last batch was in flight goes out in the next batch, pipelined (libpq's pipeline mode)
/// as one implicit read-only transaction with one sync, so concurrent reads share one
/// round trip, one flush each way and one wake-up of the server's backend instead of
/// paying one each. A statement that fails aborts the rest of its batch; those are sent
/// again, each on its own, so one bad read never fails another.
///
/// `@unchecked Sendable`: `runner` (and its connection) is touched only by blocks on
/// `queue` (checked by `dispatchPrecondition`); the inbox is guarded by its mutex.
final class ReadLane: @unchecked Sendable {
    /// Queued reads that travel together and are answered together: their statements and
    /// what to do with their results (one per statement, in order), on the lane's queue.
    struct Pending {
        let statements: [PostgresStatement]
        let deliver: @Sendable ([Result<PostgresResult, any Error>]) -> Void

        /// Every statement's result is `result`.
        func deliverAll(_ result: Result<PostgresResult, any Error>) {
            deliver(Array(repeating: result, count: statements.count))
        }
    }

    private let queue: DispatchQueue
    private let maxBatch: Int
    private let inbox = LaneInbox<Pending>()
    private var runner: ReadBatchRunner

    init(index: Int, connectionString: String, maxBatch: Int, logger: Logger) {
        self.queue = DispatchQueue(label: "cadreflow.postgres.read.\(index)")
        self.maxBatch = max(1, maxBatch)
        self.runner = ReadBatchRunner(connectionString: connectionString, logger: logger)
    }

    /// Reads waiting for this lane (to pick the least busy one).
    var queued: Int { inbox.load }

    /// Queues a read; `deliver` runs on the lane's queue with the result.
    func submit(_ pending: Pending) {
        submit([pending])
    }

    /// Queues reads together, so that they travel in one batch (one wake-up of the lane).
    func submit(_ pendings: [Pending]) {
        switch inbox.add(pendings) {
        case .closed:
            for pending in pendings { pending.deliverAll(.failure(PostgresError(code: .poolClosed, message: "the connection pool is closed"))) }
        case .startDrain:
            queue.async { self.drain() }
        case .queued:
            break
        }
    }

    /// Refuses new reads; queued ones still run; the connection closes after them.
    func close() {
        inbox.close()
        queue.async { self.runner.connection = nil }
    }

    private func drain() {
        dispatchPrecondition(condition: .onQueue(queue))
        while let batch = inbox.takeBatch(max: maxBatch) {
            runner.run(batch)
        }
    }

}
