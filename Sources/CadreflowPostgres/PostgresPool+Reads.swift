extension PostgresPool {
    /// Runs one read, sharing a round trip with the reads other tasks start meanwhile: the
    /// statement joins the least busy read lane's next pipelined batch (see
    /// ``Configuration/readConnections``).
    ///
    /// A statement that fails (say, a bad value) fails alone; a lost connection fails the
    /// reads of its batch with a connection error, and the next read reconnects. Without
    /// read connections, the read borrows a pool connection.
    public func read<T: Sendable>(_ read: PostgresRead<T>) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit(read) { continuation.resume(with: $0) }
        }
    }

    /// ``read(_:)`` for callers that are not async: `completion` gets the value or the
    /// error, on the lane's thread, without a hop through a task.
    public func submit<T: Sendable>(_ read: PostgresRead<T>, completion: @escaping @Sendable (Result<T, any Error>) -> Void) {
        submitUndecoded([read]) { results in
            completion(read.value(from: results.first ?? .failure(PostgresError(code: .unexpectedResult, message: "a read came back without a result"))))
        }
    }

    /// Several reads submitted together (the reads of one client's pipelined burst): they
    /// go to one lane at once and travel in one batch (one round trip). `completion` gets
    /// each statement's result, in order, in one call on the lane's thread, undecoded: the
    /// caller decodes them where it likes (``PostgresRead/value(from:)``), off the lane's
    /// thread, so that the lane sends its next batch sooner. Without read connections the
    /// reads borrow a pool connection each.
    public func submitUndecoded<T: Sendable>(_ reads: [PostgresRead<T>], completion: @escaping @Sendable ([Result<PostgresResult, any Error>]) -> Void) {
        guard !reads.isEmpty else { return }
        guard let lane = readLanes.min(by: { $0.queued < $1.queued }) else {
            Task {
                var results: [Result<PostgresResult, any Error>] = []
                for read in reads {
                    do {
                        results.append(.success(try await withConnection { try $0.query(read.statement.sql, parameters: read.statement.parameters) }))
                    } catch {
                        results.append(.failure(error))
                    }
                }
                completion(results)
            }
            return
        }
        lane.submit(ReadLane.Pending(statements: reads.map(\.statement), deliver: completion))
    }

    /// ``read(_:)`` of a statement and a decoder.
    public func read<T: Sendable>(
        _ sql: String, _ binds: [any PostgresEncodable] = [], decode: @escaping @Sendable (PostgresResult) throws -> T
    ) async throws -> T {
        try await read(PostgresRead(sql, binds, decode: decode))
    }
}
