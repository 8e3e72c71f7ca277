import Logging

/// Runs batches of reads on one connection of its own, pipelined as one implicit
/// read-only transaction with one sync (reconnecting when the connection was lost): the
/// work of a ``ReadLane`` on its queue. A statement that fails aborts the rest of its
/// batch; those are sent again, each on its own, so one bad read never fails another.
struct ReadBatchRunner {
    let connectionString: String
    let logger: Logger
    /// The connection, once open (nil after a failure: the next batch reconnects).
    var connection: PostgresConnection?

    init(connectionString: String, logger: Logger) {
        self.connectionString = connectionString
        self.logger = logger
    }

    /// Runs the batch and hands each pending read its results, in order, on this thread.
    mutating func run(_ batch: [ReadLane.Pending]) {
        let results = results(batch.flatMap(\.statements))
        var start = 0
        for pending in batch {
            let end = start + pending.statements.count
            pending.deliver(Array(results[start..<end]))
            start = end
        }
    }

    /// The statements' results, in order, in one round trip (and one more for statements
    /// that an earlier one's failure aborted). A lost connection fails every one alike,
    /// and the next call reconnects.
    mutating func results(_ statements: [PostgresStatement]) -> [Result<PostgresResult, any Error>] {
        do {
            return try Self.results(statements, on: try liveConnection())
        } catch {
            connection = nil
            logger.debug("a read batch failed with its connection", metadata: ["error": "\(error)", "reads": "\(statements.count)"])
            return Array(repeating: .failure(error), count: statements.count)
        }
    }

    /// The statements' results on `connection`; throws only when the connection failed.
    /// With `failFastOnTimeout`, statements aborted behind one that ran out of time (its
    /// statement or lock timeout) fail with that error instead of being sent again one by
    /// one (each could wait its own timeout out, on a thread that must not wait long).
    static func results(
        _ statements: [PostgresStatement], on connection: PostgresConnection, failFastOnTimeout: Bool = false
    ) throws -> [Result<PostgresResult, any Error>] {
        var results: [Result<PostgresResult, any Error>] = try connection.pipeline(statements, mode: .atomic).map { $0.mapError { $0 } }
        let aborted = results.indices.filter { index in
            if case .failure(let error as PostgresError) = results[index], error.code == .pipelineAborted { return true }
            return false
        }
        if failFastOnTimeout, !aborted.isEmpty, let timedOut = results.lazy.compactMap(Self.timeout).first {
            for index in aborted { results[index] = .failure(timedOut) }
            return results
        }
        if !aborted.isEmpty {
            let again = try connection.pipeline(aborted.map { statements[$0] }, mode: .independent)
            for (index, result) in zip(aborted, again) { results[index] = result.mapError { $0 } }
        }
        return results
    }

    private mutating func liveConnection() throws -> PostgresConnection {
        if let connection, connection.isUsable { return connection }
        connection = nil
        let fresh = try PostgresConnection.connect(connectionString)
        connection = fresh
        return fresh
    }

    /// The error of a statement that ran out of time, if that is how it failed.
    private static func timeout(_ result: Result<PostgresResult, any Error>) -> PostgresError? {
        if case .failure(let error as PostgresError) = result, error.isTimeout { return error }
        return nil
    }
}
