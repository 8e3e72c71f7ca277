import CadreflowPostgres
import Foundation

/// The engine on an open transaction: what a hook, a schedule action or a domain service
/// may do to workflow instances inside its own transaction — create one, create many
/// (set-based), move many, arm and cancel timers — with history and timers written as for
/// any transition. Nothing outside the engine writes `workflow_*` tables.
///
/// Everything here commits or rolls back with the caller's transaction. The split,
/// two-phase bulk creation needs connections of its own, so it is not offered here: see
/// ``WorkflowEngine/bulkCreate(workflow:source:actor:requestID:existingKeys:)``.
public struct EngineTransaction {
    /// The open transaction's connection.
    public let connection: PostgresConnection
    /// The engine's clock reading for this transaction.
    public let now: Date
    let context: EngineContext

    /// The engine's time zone (the one its timers and dates are read in).
    public var timeZone: TimeZone { context.timeZone }

    init(connection: PostgresConnection, context: EngineContext, now: Date? = nil) {
        self.connection = connection
        self.context = context
        self.now = now ?? context.clock.now()
    }

    /// What to do with a bulk creation's rows whose key exists already.
    public enum ExistingKeys: Sendable {
        /// Fail the whole creation (nothing is created).
        case fail
        /// Leave them as they are and create the others: re-running a creation creates
        /// only what is missing.
        case skip
    }

    /// Creates one instance in the workflow's initial state, with history and timers.
    @discardableResult
    public func create(workflow: String, key: String, data: [String: String] = [:], actor: Actor, requestID: String? = nil) throws -> InstanceSnapshot {
        guard let definition = context.catalog.current(workflow) else { throw EngineError(.invalid, "unknown workflow \(workflow)") }
        let row = try connection.query(
            """
            INSERT INTO workflow_instances (workflow, definition_version, key, state, data, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6) RETURNING \(InstanceSnapshot.columns)
            """,
            definition.name, definition.version, key, definition.initial, InstanceData.encode(data), now
        )
        let snapshot = try InstanceSnapshot(row: row[0])
        try connection.query(
            "INSERT INTO workflow_history (instance_id, seq, transition, to_state, actor, role, payload, request_id, at) VALUES ($1, 1, 'create', $2, $3, $4, $5::jsonb, $6, $7)",
            snapshot.id, snapshot.state, actor.name, actor.role, data.isEmpty ? nil : InstanceData.encode(data), requestID, now
        )
        let timers = WorkflowStateMachine.timersOnEntering(definition, state: definition.initial, data: data, now: now, timeZone: context.timeZone)
        for timer in timers { try armTimer(instance: snapshot.id, transition: timer.transition, dueAt: timer.dueAt, version: snapshot.version) }
        return snapshot
    }

    /// Creates one instance per source row (instances, creation history, timers) in one
    /// statement. Returns how many were created.
    @discardableResult
    public func createMany(workflow: String, source: BulkSource, actor: Actor, requestID: String? = nil, existingKeys: ExistingKeys = .fail) throws -> Int {
        try createManyCounting(workflow: workflow, source: source, actor: actor, requestID: requestID, existingKeys: existingKeys).created
    }

    /// ``createMany(workflow:source:actor:requestID:existingKeys:)`` that also says how many
    /// source rows were left alone because their key existed.
    public func createManyCounting(
        workflow: String, source: BulkSource, actor: Actor, requestID: String? = nil, existingKeys: ExistingKeys = .fail
    ) throws -> BulkCreationCount {
        guard let definition = context.catalog.current(workflow) else { throw EngineError(.invalid, "unknown workflow \(workflow)") }
        let statement = BulkCreationStatement(
            definition: definition, source: source, now: now, actor: actor, requestID: requestID, timeZone: context.timeZone,
            existingKeys: existingKeys
        )
        return try BulkCreationStatement.count(connection.query(statement.sql, parameters: statement.parameters))
    }

    /// Applies one transition to every instance of `workflow` matching `filter`: each gets
    /// its history row, its old state's timers are cancelled and its new state's armed. The
    /// transition's guard sees the count first and may refuse the whole set; its effect runs
    /// after the move. Returns how many moved.
    @discardableResult
    public func moveMany(
        workflow: String, transition name: String, filter: BulkFilter = BulkFilter(), actor: Actor,
        fields: [String: String] = [:], reason: String? = nil, requestID: String? = nil
    ) throws -> Int {
        try BulkMove(workflow: workflow, transition: name, filter: filter, actor: actor, fields: fields, reason: reason, requestID: requestID, context: context)
            .run(in: self)
    }

    /// Arms a timer that fires `transition` on an instance at `dueAt` (dropped if the
    /// instance has moved on from `version` by then; nil: its current version).
    public func armTimer(instance id: Int64, transition: String, dueAt: Date, version: Int64? = nil) throws {
        try connection.query(
            """
            INSERT INTO workflow_timers (instance_id, transition, due_at, armed_version)
            SELECT id, $2, $3, coalesce($4, version) FROM workflow_instances WHERE id = $1
            """,
            id, transition, dueAt, version
        )
    }

    /// Cancels an instance's timers (all, or those of one transition). Returns how many.
    @discardableResult
    public func cancelTimers(instance id: Int64, transition: String? = nil) throws -> Int {
        try connection.query(
            "DELETE FROM workflow_timers WHERE instance_id = $1 AND ($2::text IS NULL OR transition = $2)", id, transition
        ).affectedRows
    }
}

extension WorkflowEngine {
    /// The engine on a transaction the caller opened (a domain service writing its own
    /// tables and instances together).
    public func on(_ connection: PostgresConnection) -> EngineTransaction {
        EngineTransaction(connection: connection, context: context)
    }
}
