import CLibPQ
import Foundation

/// How a pipeline's statements succeed or fail together.
public enum PipelineMode: Sendable {
    /// One implicit transaction: all statements commit together, or none does. The failing
    /// statement reports its error and every later one reports ``PostgresError/Code/pipelineAborted``.
    case atomic
    /// Each statement is its own transaction (a sync after each): one failure affects no other.
    case independent
}

extension PostgresConnection {
    /// Statements queued in libpq's buffer between two pushes to the socket.
    static let statementsPerFlush = 64

    /// Sends all statements in one go with libpq's pipeline mode and reads their results,
    /// in order: one round trip for the whole batch instead of one per statement.
    ///
    /// Results are per statement; an error for one statement does not throw. The call
    /// throws only when the connection itself fails.
    public func pipeline(_ statements: [PostgresStatement], mode: PipelineMode = .atomic) throws -> [Result<PostgresResult, PostgresError>] {
        guard !statements.isEmpty else { return [] }
        try prepareRepeatedStatements(statements)
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(code: .unexpectedResult, message: "cannot enter pipeline mode: \(lastErrorMessage)")
        }
        defer { _ = PQexitPipelineMode(handle) }
        try send(statements, mode: mode)
        return try receive(count: statements.count, mode: mode)
    }

    private func send(_ statements: [PostgresStatement], mode: PipelineMode) throws {
        guard PQsetnonblocking(handle, 1) == 0 else { throw connectionError() }
        defer { _ = PQsetnonblocking(handle, 0) }
        for (index, statement) in statements.enumerated() {
            let prepared = preparedName(for: statement.sql)
            let queued = try withCStringArray(statement.parameters) { pointers in
                if let prepared {
                    return PQsendQueryPrepared(handle, prepared, Int32(pointers.count), pointers, nil, nil, 0)
                }
                return PQsendQueryParams(handle, statement.sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
            }
            guard queued == 1 else {
                var error = connectionError()
                error.statementIndex = index
                throw error
            }
            if mode == .independent || index == statements.count - 1 {
                guard PQpipelineSync(handle) == 1 else { throw connectionError() }
            }
            // The batch leaves in as few writes as libpq's buffer allows (one for a usual
            // batch), so the server's backend wakes once for it; a long batch is pushed
            // out every so often, reading what has come back meanwhile, so neither side
            // fills the socket and waits on the other.
            if (index + 1) % Self.statementsPerFlush == 0 {
                try flushWithoutDeadlock(untilEmpty: false)
            }
        }
        try flushWithoutDeadlock(untilEmpty: true)
    }

    /// Pushes queued output to the server. While the socket is full, reads whatever the
    /// server has answered so far into libpq's buffer, so neither side waits on the other.
    private func flushWithoutDeadlock(untilEmpty: Bool) throws {
        while true {
            let state = PQflush(handle)
            if state == 0 { return }
            guard state == 1 else { throw connectionError() }
            if !untilEmpty && PQisBusy(handle) == 0 { return }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN | POLLOUT), revents: 0)
            guard poll(&descriptor, 1, 30_000) >= 0 else { throw connectionError() }
            if descriptor.revents & Int16(POLLIN) != 0 {
                guard PQconsumeInput(handle) == 1 else { throw connectionError() }
            }
            if descriptor.revents & Int16(POLLERR | POLLHUP) != 0 { throw connectionError() }
        }
    }

    private func receive(count: Int, mode: PipelineMode) throws -> [Result<PostgresResult, PostgresError>] {
        var results: [Result<PostgresResult, PostgresError>] = []
        results.reserveCapacity(count)
        for index in 0..<count {
            let raw = PQgetResult(handle)
            guard raw != nil else { throw connectionError() }
            do {
                results.append(.success(try checked(raw, statementIndex: index)))
            } catch let error as PostgresError {
                if error.isConnectionFailure { throw error }
                results.append(.failure(error))
            }
            // Each statement's results end with a NULL.
            if let extra = PQgetResult(handle) { PQclear(extra) }
            if mode == .independent { try expectSync() }
        }
        if mode == .atomic { try expectSync() }
        return results
    }

    private func expectSync() throws {
        guard let raw = PQgetResult(handle) else { throw connectionError() }
        defer { PQclear(raw) }
        guard PQresultStatus(raw) == PGRES_PIPELINE_SYNC else {
            throw PostgresError(code: .unexpectedResult, message: "expected the end of a pipeline sync group")
        }
    }
}
