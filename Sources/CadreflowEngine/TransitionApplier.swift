import CadreflowPostgres
import Foundation

/// What the engine needs to decide and apply transitions.
struct EngineContext: Sendable {
    let catalog: WorkflowCatalog
    let hooks: WorkflowHooks
    let clock: any EngineClock
    let timeZone: TimeZone
}

/// Applies one transition inside an open transaction: decides it with the pure state
/// machine, runs the guard and effect hooks, and returns the record of it (instance
/// update, history row, timers, idempotency record) for a ``TransitionWrites`` batch.
struct TransitionApplier {
    let context: EngineContext

    /// A decided move: the outcome to report and the record that makes it durable.
    struct Applied {
        var outcome: TransitionOutcome
        var record: TransitionRecord
    }

    /// Decides and prepares `command` for `snapshot`. A refusal comes back as a failure;
    /// a database error from a hook is thrown (the transaction is then unusable).
    func apply(_ command: TransitionCommand, to snapshot: InstanceSnapshot, connection: PostgresConnection) throws -> Result<Applied, EngineError> {
        guard let definition = context.catalog.definition(snapshot.workflow, version: snapshot.definitionVersion) else {
            return .failure(EngineError(.invalid, "\(snapshot.key): workflow \(snapshot.workflow) version \(snapshot.definitionVersion) is not loaded"))
        }
        if let expected = command.expectedVersion, expected != snapshot.version {
            let legal = definition.transitions(from: snapshot.state, role: command.actor.role).map(\.name)
            return .failure(.refused(TransitionRefusal(
                reason: .versionConflict(expected: expected, current: snapshot.version),
                transition: command.transition, currentState: snapshot.state, legal: legal
            )))
        }
        let now = context.clock.now()
        var fields = command.fields
        if let reason = command.reason, fields["reason"] == nil { fields["reason"] = reason }
        let plan: TransitionPlan
        switch WorkflowStateMachine.plan(
            definition, state: snapshot.state, data: snapshot.data, transition: command.transition,
            role: command.actor.role, fields: fields, now: now, timeZone: context.timeZone
        ) {
        case .failure(let refusal): return .failure(.refused(refusal))
        case .success(let decided): plan = decided
        }
        let hookContext = HookContext(
            engine: EngineTransaction(connection: connection, context: context, now: now), subject: .instance(snapshot),
            transition: plan.transition.name, to: plan.to, fields: fields, actor: command.actor
        )
        if let name = plan.transition.guardHook, let check = context.hooks.guards[name] {
            do {
                try check(hookContext)
            } catch let refusal as GuardRefusal {
                let legal = definition.transitions(from: snapshot.state, role: command.actor.role).map(\.name)
                return .failure(.refused(TransitionRefusal(reason: .guardRefused(refusal.message), transition: command.transition, currentState: snapshot.state, legal: legal)))
            }
        }
        if let name = plan.transition.effectHook, let effect = context.hooks.effects[name] {
            try effect(hookContext)
        }
        var after = snapshot
        after.state = plan.to
        after.version = snapshot.version + 1
        after.data = plan.data
        let outcome = TransitionOutcome(instance: after, from: plan.from, transition: plan.transition.name, replayed: false)
        var idempotency: (key: String, outcome: PostgresJSON)?
        if let key = command.idempotencyKey {
            var stored = outcome
            stored.replayed = true
            idempotency = (key, try PostgresJSON(encoding: stored))
        }
        let record = TransitionRecord(
            lockedVersion: snapshot.version, after: after, transition: plan.transition.name, from: plan.from,
            actor: command.actor, reason: command.reason,
            payload: command.fields.isEmpty ? nil : InstanceData.encode(command.fields), requestID: command.requestID, at: now,
            // Only states that define timers can have any to cancel.
            cancelsTimers: definition.timers.contains { $0.state == plan.from },
            // On a self-loop, timers already due are not armed again (they have had their turn).
            timers: plan.from == plan.to ? plan.timers.filter { $0.dueAt > now } : plan.timers,
            idempotency: idempotency,
            attached: command.attachedWrites
        )
        return .success(Applied(outcome: outcome, record: record))
    }

    /// Whether `command` would run no guard or effect hook (hooks read and write inside the
    /// transaction, so they need it open before they run).
    func runsWithoutHooks(_ command: TransitionCommand, on snapshot: InstanceSnapshot) -> Bool {
        guard let transition = context.catalog.definition(snapshot.workflow, version: snapshot.definitionVersion)?.transition(named: command.transition) else {
            return false
        }
        return transition.guardHook == nil && transition.effectHook == nil
    }

    /// The statement that locks the instances named by `refs`, in id order (so concurrent
    /// batches cannot deadlock on each other), and returns them.
    static func lockStatement(_ refs: [InstanceRef]) -> PostgresStatement {
        var ids: [Int64] = []
        var keys: [String] = []
        for ref in refs {
            switch ref {
            case .id(let id): ids.append(id)
            case .key(let key): keys.append(key)
            }
        }
        return PostgresStatement(
            "SELECT \(InstanceSnapshot.columns) FROM workflow_instances WHERE id = ANY($1::bigint[]) OR key = ANY($2::text[]) ORDER BY id FOR UPDATE",
            ids, keys
        )
    }

    /// The instances a ``lockStatement(_:)`` returned, by id and key.
    static func instances(from result: PostgresResult) throws -> InstanceIndex {
        var index = InstanceIndex()
        for row in result.rows { index.store(try InstanceSnapshot(row: row)) }
        return index
    }

    /// Locks and reads instances in one call.
    static func lockInstances(_ refs: [InstanceRef], connection: PostgresConnection) throws -> InstanceIndex {
        let statement = lockStatement(refs)
        return try instances(from: connection.query(statement.sql, parameters: statement.parameters))
    }

    /// The statement that reads stored first results for idempotency keys.
    static func replayStatement(_ keys: [String]) -> PostgresStatement {
        PostgresStatement("SELECT key, outcome FROM workflow_idempotency WHERE key = ANY($1::text[])", keys)
    }

    /// The stored first results a ``replayStatement(_:)`` returned, by key.
    static func replays(from result: PostgresResult) throws -> [String: TransitionOutcome] {
        var replays: [String: TransitionOutcome] = [:]
        for row in result.rows {
            replays[try row.decode(0)] = try row.decode(1, as: PostgresJSON.self).decode(TransitionOutcome.self)
        }
        return replays
    }
}

/// Instances of a batch by id and key, updated as the batch moves them.
struct InstanceIndex {
    private var byID: [Int64: InstanceSnapshot] = [:]
    private var idByKey: [String: Int64] = [:]

    var count: Int { byID.count }

    var snapshots: [InstanceSnapshot] { Array(byID.values) }

    mutating func store(_ snapshot: InstanceSnapshot) {
        byID[snapshot.id] = snapshot
        idByKey[snapshot.key] = snapshot.id
    }

    mutating func remove(_ ref: InstanceRef) {
        guard let snapshot = self[ref] else { return }
        byID[snapshot.id] = nil
        idByKey[snapshot.key] = nil
    }

    subscript(ref: InstanceRef) -> InstanceSnapshot? {
        switch ref {
        case .id(let id): return byID[id]
        case .key(let key): return idByKey[key].flatMap { byID[$0] }
        }
    }
}
