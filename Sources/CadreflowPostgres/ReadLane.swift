import Dispatch
import Logging

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
    private let connectionString: String
    private let maxBatch: Int
    private let logger: Logger
    private let inbox = LaneInbox<Pending>()
    private var connection: PostgresConnection?

    init(index: Int, connectionString: String, maxBatch: Int, logger: Logger) {
        self.queue = DispatchQueue(label: "cadreflow.postgres.read.\(index)")
        self.connectionString = connectionString
        self.maxBatch = max(1, maxBatch)
        self.logger = logger
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
        queue.async { self.connection = nil }
    }

    private func drain() {
        dispatchPrecondition(condition: .onQueue(queue))
        while let batch = inbox.takeBatch(max: maxBatch) {
            run(batch)
        }
    }

    private func run(_ batch: [Pending]) {
        do {
            let connection = try liveConnection()
            let statements = batch.flatMap(\.statements)
            var results: [Result<PostgresResult, any Error>] = try connection.pipeline(statements, mode: .atomic).map { $0.mapError { $0 } }
            let aborted = results.indices.filter { index in
                if case .failure(let error as PostgresError) = results[index], error.code == .pipelineAborted { return true }
                return false
            }
            if !aborted.isEmpty {
                let again = try connection.pipeline(aborted.map { statements[$0] }, mode: .independent)
                for (index, result) in zip(aborted, again) { results[index] = result.mapError { $0 } }
            }
            var start = 0
            for pending in batch {
                let end = start + pending.statements.count
                pending.deliver(Array(results[start..<end]))
                start = end
            }
        } catch {
            // The connection failed under the batch: every read of it fails alike, and the
            // next batch opens a new connection.
            connection = nil
            logger.debug("a read batch failed with its connection", metadata: ["error": "\(error)", "reads": "\(batch.count)"])
            for pending in batch { pending.deliverAll(.failure(error)) }
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
