import CadreflowPostgres
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Metrics
import Synchronization

/// One group-commit writer: a connection on its own serial queue that takes every
/// transition queued while its last transaction was in flight and applies them together
/// in one transaction (one lock query, one pipelined batch of writes, one COMMIT).
///
/// An instance always goes to the same lane, so the lane remembers the state it last
/// committed for each instance. A batch whose instances are all remembered, and whose
/// transitions run no hooks and carry no idempotency key, is decided from that state and
/// sent as one round trip (BEGIN, writes, COMMIT) with no lock query: the UPDATE checks
/// every instance's version and fails the transaction when another writer (a bulk
/// operation, a timer, a second service) moved one first. Then the batch is forgotten,
/// and applied again the locking way. Refusals are always decided on locked rows.
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

    private let queue: DispatchQueue
    private let connectionString: String
    private let applier: TransitionApplier
    private let maxBatch: Int
    private let logger: Logger
    private let inbox = LaneInbox<Pending>()
    private var connection: PostgresConnection?
    /// The state each instance was left in by this lane's last commit that moved it.
    private var known = RecentInstances(limit: TransitionLane.knownLimit)
    /// Instances remembered at most (the least recently moved are forgotten first); in the
    /// soak a full memory cost the service about 15 MiB.
    static let knownLimit = 10_000
    /// Transactions committed and the transitions they carried (for group-commit figures).
    let committedBatches = Atomic<Int>(0)
    let committedCommands = Atomic<Int>(0)
    /// The size of each committed batch (a histogram through swift-metrics).
    private let batchSizes = Recorder(label: EngineMetrics.batchSizeLabel)

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
            switch inbox.add([Pending(command: command, continuation: continuation)]) {
            case .closed:
                continuation.resume(throwing: EngineError(.unavailable, "the engine is shutting down"))
            case .startDrain:
                queue.async { self.drain() }
            case .queued:
                break
            }
        }
    }

    /// Refuses new commands; queued ones still complete.
    func close() {
        inbox.close()
        queue.async { self.connection = nil }
    }

    /// The longest a lane waits for a batch to refill (see ``drain()``).
    static let refillWait = Duration.microseconds(100)

    private func drain() {
        dispatchPrecondition(condition: .onQueue(queue))
        var previous = 0
        while true {
            // Under load, the clients a commit just answered send their next transitions
            // within microseconds: waiting briefly for as many as the last batch held makes
            // the next batch (and its one commit) carry them too. A lone client never waits.
            if previous > 1 {
                let deadline = ContinuousClock.now + Self.refillWait
                while inbox.waiting < previous, ContinuousClock.now < deadline {
                    sched_yield()
                }
            }
            guard let batch = inbox.takeBatch(max: maxBatch) else { return }
            previous = batch.count
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
            // A hook's own error (a domain rule that refused inside an effect) reaches the
            // caller as it is, with the reply it knows; the database's and the engine's are classified.
            let failure: any Error = error is PostgresError || error is EngineError || error is GuardRefusal ? EngineError.classify(error) : error
            for pending in batch { pending.continuation.resume(throwing: failure) }
            return
        }
        for (pending, result) in zip(batch, results) {
            pending.continuation.resume(with: result.mapError { $0 as any Error })
        }
    }

    /// One transaction for the whole batch: from remembered state in one round trip when it
    /// can, else with row locks in two. Throws when the batch cannot commit as a whole.
    private func applyTogether(_ commands: [TransitionCommand]) throws -> [Result<TransitionOutcome, EngineError>] {
        let connection = try liveConnection()
        if let outcomes = try applyFromKnownState(commands, connection: connection) {
            return outcomes.map { .success($0) }
        }
        return try applyLocked(commands, connection: connection)
    }

    /// The one-round-trip path: nil when the batch does not qualify or its remembered state
    /// turned out stale (nothing was written then).
    private func applyFromKnownState(_ commands: [TransitionCommand], connection: PostgresConnection) throws -> [TransitionOutcome]? {
        // The batch's own moves first: an instance moved twice starts from its first move.
        var moved = InstanceIndex()
        var outcomes: [TransitionOutcome] = []
        var writes = TransitionWrites()
        for command in commands {
            guard command.idempotencyKey == nil, let snapshot = moved[command.instance] ?? known[command.instance],
                  applier.runsWithoutHooks(command, on: snapshot),
                  case .success(let applied) = try applier.apply(command, to: snapshot, connection: connection)
            else { return nil }
            outcomes.append(applied.outcome)
            writes.add(applied.record)
            moved.store(applied.outcome.instance)
        }
        do {
            try writes.send(on: connection, begin: true, commit: true)
        } catch let error as PostgresError where !error.isConnectionFailure {
            if !connection.isBroken, connection.isInTransaction { try connection.execute("ROLLBACK") }
            for command in commands { known.remove(command.instance) }
            return nil
        }
        committedBatches.add(1, ordering: .relaxed)
        committedCommands.add(commands.count, ordering: .relaxed)
        batchSizes.record(commands.count)
        remember(outcomes.map(\.instance))
        return outcomes
    }

    private func remember(_ snapshots: [InstanceSnapshot]) {
        for snapshot in snapshots { known.store(snapshot) }
    }

    /// The locking path: BEGIN with the row locks and idempotency look-ups, then every
    /// write with the COMMIT.
    private func applyLocked(_ commands: [TransitionCommand], connection: PostgresConnection) throws -> [Result<TransitionOutcome, EngineError>] {
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
        do {
            try writes.send(on: connection, commit: true)
        } catch {
            for command in commands { known.remove(command.instance) }
            throw error
        }
        committedBatches.add(1, ordering: .relaxed)
        committedCommands.add(commands.count, ordering: .relaxed)
        batchSizes.record(commands.count)
        // Every locked instance, as the batch left it (replays report older states).
        remember(instances.snapshots)
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
