import Dispatch
import Logging

/// One place in a ``PostgresPool``: a serial queue and the connection that lives on it.
///
/// `@unchecked Sendable` because `connection` (not Sendable) is touched only by blocks
/// running on `queue`, one at a time; `dispatchPrecondition` checks that at run time.
final class PooledConnectionSlot: @unchecked Sendable {
    private let queue: DispatchQueue
    private var connection: PostgresConnection?

    init(label: String) {
        self.queue = DispatchQueue(label: label)
    }

    /// Runs `body` on this slot's queue with a live connection, opening or replacing it first.
    func run<T: Sendable>(
        configuration: PostgresPool.Configuration, logger: Logger,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.runOnQueue(configuration: configuration, logger: logger, body) })
            }
        }
    }

    private func runOnQueue<T>(
        configuration: PostgresPool.Configuration, logger: Logger,
        _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        dispatchPrecondition(condition: .onQueue(queue))
        let connection = try liveConnection(configuration: configuration, logger: logger)
        defer {
            if connection.isBroken || connection.isInTransaction {
                // Never hand on a connection that is gone or left inside a transaction.
                self.connection = nil
            }
        }
        return try body(connection)
    }

    private func liveConnection(configuration: PostgresPool.Configuration, logger: Logger) throws -> PostgresConnection {
        if let existing = connection, existing.isUsable {
            if ContinuousClock.now - existing.lastUsed < configuration.healthCheckAfterIdle {
                return existing
            }
            do {
                try existing.ping()
                return existing
            } catch {
                logger.info("replacing a pooled connection that failed its health check", metadata: ["error": "\(error)"])
            }
        }
        connection = nil
        let fresh = try PostgresConnection.connect(configuration.connectionString)
        connection = fresh
        return fresh
    }

    /// Closes the connection on its own queue.
    func closeConnection() {
        queue.async {
            self.connection = nil
        }
    }
}
