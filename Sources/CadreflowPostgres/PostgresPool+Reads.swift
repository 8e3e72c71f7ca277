extension PostgresPool {
    /// Runs one read-only statement and decodes its result, sharing a round trip with the
    /// reads other tasks start meanwhile: the statement joins the least busy read lane's
    /// next pipelined batch (see ``Configuration/readConnections``). `decode` runs on the
    /// lane's thread while the result is in hand; keep it to decoding.
    ///
    /// A statement that fails (say, a bad value) fails alone; a lost connection fails the
    /// reads of its batch with a connection error, and the next read reconnects. Without
    /// read connections, the read borrows a pool connection.
    public func read<T: Sendable>(_ statement: PostgresStatement, decode: @escaping @Sendable (PostgresResult) throws -> T) async throws -> T {
        guard let lane = readLanes.min(by: { $0.queued < $1.queued }) else {
            return try await withConnection { connection in
                try decode(connection.query(statement.sql, parameters: statement.parameters))
            }
        }
        return try await withCheckedThrowingContinuation { continuation in
            lane.submit(ReadLane.Pending(statement: statement) { result in
                continuation.resume(with: result.flatMap { result in Result { try decode(result) } })
            })
        }
    }

    /// ``read(_:decode:)`` with the SQL and its parameters.
    public func read<T: Sendable>(
        _ sql: String, _ binds: [any PostgresEncodable] = [], decode: @escaping @Sendable (PostgresResult) throws -> T
    ) async throws -> T {
        try await read(PostgresStatement(sql, binds), decode: decode)
    }
}
