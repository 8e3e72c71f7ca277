import Dispatch
import Logging
import Synchronization

/// A read connection whose batches run on the calling thread (a network event loop),
/// which waits for the batch's one pipelined round trip and does no hop to another
/// thread, and back, for it. The caller never waits to connect: while no connection is
/// open, ``results(_:)`` answers nil at once (the caller sends the batch another way) and
/// a connection opens on another thread (again at most once a second after a failure).
///
/// The session's `statement_timeout` and `lock_timeout` bound how long one statement can
/// hold the caller's thread, and the statements aborted behind one that timed out fail
/// with it rather than wait their turn (so a batch waits one timeout, not one each); only
/// short, indexed reads belong here (the session has `enable_seqscan` off, so the planner
/// takes an index wherever one serves). The wait for a database that stops answering
/// without closing the connection is the socket's (over TCP, set `tcp_user_timeout` and
/// keepalives in `database.url`).
///
/// `@unchecked Sendable`: `connection` is touched only while `state`'s lock is held.
public final class InlineReadConnection: @unchecked Sendable {
    private struct State {
        var connecting = false
        var retryAt = ContinuousClock.now
        var closed = false
    }

    /// The `application_name` of these connections (in `pg_stat_activity`).
    public static let applicationName = "cadreflow event-loop reads"

    private let connectionString: String
    private let statementTimeout: Duration
    private let logger: Logger
    private let state = Mutex(State())
    private var connection: PostgresConnection?

    /// A connection to `connectionString`; it opens when first needed, off the caller's thread.
    public init(connectionString: String, statementTimeout: Duration = .seconds(2), logger: Logger) {
        self.connectionString = connectionString
        self.statementTimeout = statementTimeout
        self.logger = logger
    }

    /// The statements' results, in order, in one round trip on this thread; nil, at once,
    /// while no connection is open (one is opening meanwhile). A connection that fails
    /// under the batch fails every statement of it alike, and the next batch finds none.
    public func results(_ statements: [PostgresStatement]) -> [Result<PostgresResult, any Error>]? {
        enum Outcome {
            case results([Result<PostgresResult, any Error>])
            case unavailable
            case connect
        }
        let outcome = state.withLock { state -> Outcome in
            if state.closed { return .unavailable }
            guard let connection = self.connection, connection.isUsable else {
                self.connection = nil
                guard !state.connecting, ContinuousClock.now >= state.retryAt else { return .unavailable }
                state.connecting = true
                return .connect
            }
            do {
                return .results(try ReadBatchRunner.results(statements, on: connection, failFastOnTimeout: true))
            } catch {
                self.connection = nil
                logger.debug("an inline read batch failed with its connection", metadata: ["error": "\(error)", "reads": "\(statements.count)"])
                return .results(Array(repeating: .failure(error), count: statements.count))
            }
        }
        switch outcome {
        case .results(let results):
            return results
        case .unavailable:
            return nil
        case .connect:
            connectInBackground()
            return nil
        }
    }

    /// Whether a connection is open now (the next batch runs inline).
    public var isOpen: Bool {
        state.withLock { _ in connection?.isUsable ?? false }
    }

    /// Closes the connection (after a batch running now); later batches get nil.
    public func close() {
        state.withLock { state in
            state.closed = true
            connection = nil
        }
    }

    private func connectInBackground() {
        DispatchQueue.global().async { [self] in
            do {
                let fresh = try PostgresConnection.connect(connectionString)
                let milliseconds = max(1, statementTimeout.wholeMilliseconds)
                // Only indexed reads belong here: where an index serves, the planner takes it
                // even for a table of a few pages (CADRE SHOW's unit look-up), so no read
                // scans a whole table while the caller's thread waits.
                try fresh.execute("SET statement_timeout = \(milliseconds); SET lock_timeout = \(milliseconds); SET enable_seqscan = off; SET application_name = '\(Self.applicationName)'")
                install(fresh)
            } catch {
                logger.debug("an inline read connection could not open", metadata: ["error": "\(error)"])
                state.withLock { state in
                    state.connecting = false
                    state.retryAt = ContinuousClock.now + .seconds(1)
                }
            }
        }
    }

    private func install(_ fresh: PostgresConnection) {
        state.withLock { state in
            state.connecting = false
            if !state.closed { connection = fresh }
        }
    }
}
