import CadreflowPostgres
import Dispatch
import Logging
import Synchronization

/// One group-commit writer: a connection on its own serial queue that takes every
/// transition queued while its last transaction was in flight and applies them together
/// in one transaction (one lock query, one pipelined batch of writes, one COMMIT).
///
/// Each reply is sent only after the COMMIT that made it durable. When a batch fails as
/// a whole (a hook's write broke a constraint, say), it is rolled back and its commands
/// are applied again one by one, so one bad transition never fails its batch-mates.
///
/// `@unchecked Sendable`: `connection` is touched only by blocks on `queue` (checked by
/// `dispatchPrecondition`); the inbox is guarded by its mutex.
final class TransitionLane: @unchecked Sendable {
    struct Pending {
        let command: TransitionCommand
        let continuation: CheckedContinuation<TransitionOutcome, any Error>
    }

    private struct Inbox {
        var items: [Pending] = []
        var draining = false
        var closed = false
    }

    private let queue: DispatchQueue
    private let connectionString: String
    private let applier: TransitionApplier
    private let maxBatch: Int
    private let logger: Logger
    private let inbox = Mutex(Inbox())
    private var connection: PostgresConnection?
    /// Transactions committed and the transitions they carried (for group-commit figures).
    let committedBatches = Atomic<Int>(0)
    let committedCommands = Atomic<Int>(0)

    init(index: Int, connectionString: String, applier: TransitionApplier, maxBatch: Int, logger: Logger) {
        self.queue = DispatchQueue(label: "cadreflow.engine.lane.\(index)")
        self.connectionString = connectionString
        self.applier = applier
        self.maxBatch = maxBatch
        self.logger = logger
    }

    /// Queues a command; returns once its transaction committed (or it was refused).
    func submit(_ command: TransitionCommand) async throws -> TransitionOutcome {
        try await withCheckedThrowingContinuation { continuation in
            let (start, closed) = inbox.withLock { inbox -> (Bool, Bool) in
                if inbox.closed { return (false, true) }
                inbox.items.append(Pending(command: command, continuation: continuation))
                if inbox.draining { return (false, false) }
                inbox.draining = true
                return (true, false)
            }
            if closed {
                continuation.resume(throwing: EngineError(.unavailable, "the engine is shutting down"))
            } else if start {
                queue.async { self.drain() }
            }
        }
    }

    /// Refuses new commands; queued ones still complete.
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
            process(batch)
        }
    }

    private func liveConnection() throws -> PostgresConnection {
        if let connection, connection.isUsable { return connection }
        connection = nil
        let fresh = try PostgresConnection.connect(connectionString)
        connection = fresh
        return fresh
    }

    private func process(_ batch: [Pending]) {
        let results: [Result<TransitionOutcome, EngineError>]
        do {
            results = try applyTogether(batch.map(\.command))
        } catch {
            if let connection, !connection.isBroken, connection.isInTransaction {
                try? connection.execute("ROLLBACK")
            }
            let connectionLost = (error as? PostgresError)?.isConnectionFailure ?? false
            if batch.count > 1, !connectionLost {
                logger.debug("batch failed as a whole; applying its commands one by one", metadata: ["size": "\(batch.count)", "error": "\(error)"])
                for pending in batch { process([pending]) }
                return
            }
            let failure = EngineError.classify(error)
            for pending in batch { pending.continuation.resume(throwing: failure) }
            return
        }
        for (pending, result) in zip(batch, results) {
            pending.continuation.resume(with: result.mapError { $0 as any Error })
        }
    }

    /// One transaction for the whole batch, in two round trips: BEGIN with the row locks
    /// and idempotency look-ups, then every write with the COMMIT. Throws when the batch
    /// cannot commit as a whole.
    private func applyTogether(_ commands: [TransitionCommand]) throws -> [Result<TransitionOutcome, EngineError>] {
        let connection = try liveConnection()
        let keys = commands.compactMap(\.idempotencyKey)
        var reads = [PostgresStatement(sql: "BEGIN", parameters: []), TransitionApplier.lockStatement(commands.map(\.instance))]
        if !keys.isEmpty { reads.append(TransitionApplier.replayStatement(keys)) }
        let readResults = try connection.pipeline(reads, mode: .atomic)
        var instances = try TransitionApplier.instances(from: readResults[1].get())
        var replays = keys.isEmpty ? [:] : try TransitionApplier.replays(from: readResults[2].get())
        var results: [Result<TransitionOutcome, EngineError>] = []
        var writes = TransitionWrites()
        for command in commands {
            if let key = command.idempotencyKey, let replay = replays[key] {
                results.append(.success(replay))
                continue
            }
            guard let snapshot = instances[command.instance] else {
                results.append(.failure(EngineError(.notFound, "no instance \(command.instance)")))
                continue
            }
            switch try applier.apply(command, to: snapshot, connection: connection) {
            case .failure(let error):
                results.append(.failure(error))
            case .success(let applied):
                results.append(.success(applied.outcome))
                writes.add(applied.record)
                instances.store(applied.outcome.instance)
                if let key = command.idempotencyKey {
                    var replay = applied.outcome
                    replay.replayed = true
                    replays[key] = replay
                }
            }
        }
        try writes.send(on: connection, commit: true)
        committedBatches.add(1, ordering: .relaxed)
        committedCommands.add(commands.count, ordering: .relaxed)
        return results
    }
}

extension EngineError {
    /// An engine error for anything thrown while applying transitions.
    static func classify(_ error: any Error) -> EngineError {
        switch error {
        case let engine as EngineError:
            return engine
        case let postgres as PostgresError:
            switch postgres.code {
            case .uniqueViolation, .foreignKeyViolation, .checkViolation, .notNullViolation, .invalidInput:
                return EngineError(.invalid, postgres.message)
            default:
                return EngineError(.unavailable, "database: \(postgres.message)")
            }
        case let refusal as GuardRefusal:
            return EngineError(.invalid, refusal.message)
        default:
            return EngineError(.unavailable, "\(error)")
        }
    }
}
