import CadreflowPostgres
import Foundation
import Logging

/// The workflow engine: creates instances, moves them (group-committed), moves sets of
/// them at once, and answers questions about them. It knows nothing of cadres; domains
/// bring definitions (files) and hooks (code).
public final class WorkflowEngine: Sendable {
    /// How the engine runs.
    public struct Options: Sendable {
        /// Group-commit writers (each owns one connection); an instance always goes to the same one.
        public var lanes: Int
        /// The most transitions one writer commits together.
        public var maxBatch: Int
        /// The zone of `YYYY-MM-DD` timer fields.
        public var timeZone: TimeZone
        /// Connections a large bulk creation is split over (one server backend, so one core,
        /// each); 1 keeps every bulk creation in one transaction.
        public var bulkWorkers: Int
        /// The fewest expected rows for which a bulk creation is split.
        public var parallelBulkMinimum: Int

        /// Options with defaults; the time zone is the service's (configuration), never assumed.
        public init(
            lanes: Int = 1, maxBatch: Int = 512, timeZone: TimeZone, bulkWorkers: Int = 2, parallelBulkMinimum: Int = 50_000
        ) {
            self.lanes = max(1, lanes)
            self.maxBatch = max(1, maxBatch)
            self.timeZone = timeZone
            self.bulkWorkers = max(1, bulkWorkers)
            self.parallelBulkMinimum = max(0, parallelBulkMinimum)
        }
    }

    /// The definitions the engine runs.
    public let catalog: WorkflowCatalog
    let context: EngineContext
    let pool: PostgresPool
    let options: Options
    let connectionString: String
    let logger: Logger
    private let lanes: [TransitionLane]

    /// An engine on `pool` (reads, creations, bulk work) with its own writer connections
    /// to `connectionString` (group commit).
    public init(
        catalog: WorkflowCatalog, hooks: WorkflowHooks, pool: PostgresPool, connectionString: String,
        clock: any EngineClock = SystemClock(), options: Options,
        logger: Logger = Logger(label: "cadreflow.engine")
    ) {
        self.catalog = catalog
        self.context = EngineContext(catalog: catalog, hooks: hooks, clock: clock, timeZone: options.timeZone)
        self.pool = pool
        self.options = options
        self.connectionString = connectionString
        self.logger = logger
        let applier = TransitionApplier(context: context)
        self.lanes = (0..<options.lanes).map {
            TransitionLane(index: $0, connectionString: connectionString, applier: applier, maxBatch: options.maxBatch, logger: logger)
        }
    }

    /// Group-commit figures since start: transactions committed by the writers and the
    /// transitions they carried (their ratio is the mean batch size).
    public var groupCommitStatistics: (transactions: Int, transitions: Int) {
        lanes.reduce((0, 0)) { sum, lane in
            (sum.0 + lane.committedBatches.load(ordering: .relaxed), sum.1 + lane.committedCommands.load(ordering: .relaxed))
        }
    }

    /// Stops the writers (queued transitions still complete).
    public func close() {
        for lane in lanes { lane.close() }
    }

    /// Creates one instance in the workflow's initial state, with history and timers.
    @discardableResult
    public func create(workflow: String, key: String, data: [String: String] = [:], actor: Actor, requestID: String? = nil) async throws -> InstanceSnapshot {
        guard let definition = catalog.current(workflow) else {
            throw EngineError(.invalid, "unknown workflow \(workflow)")
        }
        let context = self.context
        do {
            return try await pool.withTransaction { connection in
                try EngineTransaction(connection: connection, context: context).create(workflow: definition.name, key: key, data: data, actor: actor, requestID: requestID)
            }
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw EngineError(.invalid, "an instance with key \(key) exists already")
        } catch {
            throw EngineError.classify(error)
        }
    }

    /// Moves one instance. Concurrent calls are committed together in batches; the reply
    /// comes after the commit. A refusal names the current state and the legal moves.
    @discardableResult
    public func transition(_ command: TransitionCommand) async throws -> TransitionOutcome {
        try await lane(for: command.instance).submit(command)
    }

    private func lane(for ref: InstanceRef) -> TransitionLane {
        var hasher = Hasher()
        hasher.combine(ref)
        // Hasher is seeded per process: stable within the process, which is all lanes need.
        return lanes[Int(UInt(bitPattern: hasher.finalize()) % UInt(lanes.count))]
    }

    /// One instance by id or key.
    public func instance(_ ref: InstanceRef) async throws -> InstanceSnapshot {
        let found = try await pool.withConnection { connection -> InstanceSnapshot? in
            let result: PostgresResult
            switch ref {
            case .id(let id): result = try connection.query("SELECT \(InstanceSnapshot.columns) FROM workflow_instances WHERE id = $1", id)
            case .key(let key): result = try connection.query("SELECT \(InstanceSnapshot.columns) FROM workflow_instances WHERE key = $1", key)
            }
            return try result.rows.first.map { try InstanceSnapshot(row: $0) }
        }
        guard let found else { throw EngineError(.notFound, "no instance \(ref)") }
        return found
    }

    /// The engine on a transaction the caller opened (a domain command's): what it creates
    /// and moves commits or rolls back with the caller's other writes.
    public func transaction(on connection: PostgresConnection) -> EngineTransaction {
        EngineTransaction(connection: connection, context: context)
    }
}
