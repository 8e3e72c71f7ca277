import CLibPQ

extension PostgresConnection {
    /// Starts one parameterised statement and returns without waiting for its result;
    /// ``awaitResult()`` collects it. Statements started this way on several connections
    /// run at the same time on the server (one backend each), while one thread waits.
    public func start(_ sql: String, parameters: [String?]) throws {
        let sent = try withCStringArray(parameters) { pointers in
            PQsendQueryParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        guard sent == 1 else { throw connectionError() }
    }

    /// Waits for the statement begun by ``start(_:parameters:)`` and returns its result,
    /// or throws its error once the connection is ready for the next call.
    @discardableResult
    public func awaitResult() throws -> PostgresResult {
        // Whatever happens, leave the connection idle for the next call.
        defer { drainResults() }
        return try checked(PQgetResult(handle))
    }
}
