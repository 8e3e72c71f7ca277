import CadreflowPostgres
import Foundation

/// Which instances a bulk transition moves (always within one workflow).
public struct BulkFilter: Sendable {
    /// Only instances in these states (default: every state the transition starts from).
    public var states: [String]?
    /// Only instances whose key starts with this (literally: `_` and `%` are characters).
    public var keyPrefix: String?
    /// Only instances whose data holds these fields with these values.
    public var dataEquals: [String: String]
    /// Only instances with these keys (found through the key's index: the way to move a
    /// set the caller selected with its own indexed query).
    public var keys: [String]?

    /// A filter; no arguments selects every instance the transition can start from.
    public init(states: [String]? = nil, keyPrefix: String? = nil, dataEquals: [String: String] = [:], keys: [String]? = nil) {
        self.states = states
        self.keyPrefix = keyPrefix
        self.dataEquals = dataEquals
        self.keys = keys
    }
}

/// One bulk move, checked and then applied in one statement on an open transaction.
struct BulkMove {
    let definition: WorkflowDefinition
    let transition: TransitionDefinition
    let states: [String]
    let filter: BulkFilter
    let actor: Actor
    let fields: [String: String]
    let reason: String?
    let requestID: String?
    let context: EngineContext

    init(
        workflow: String, transition name: String, filter: BulkFilter, actor: Actor, fields: [String: String], reason: String?,
        requestID: String?, context: EngineContext
    ) throws {
        guard let definition = context.catalog.current(workflow) else { throw EngineError(.invalid, "unknown workflow \(workflow)") }
        guard let transition = definition.transition(named: name) else {
            throw EngineError(.invalid, "\(workflow) has no transition \(name) (transitions: \(definition.transitions.map(\.name).joined(separator: ", ")))")
        }
        guard transition.allows(role: actor.role) else {
            throw EngineError(.refused, "your role \(actor.role) may not \(name) (allowed: \(transition.roles.joined(separator: ", ")))")
        }
        var fields = fields
        if let reason, fields["reason"] == nil { fields["reason"] = reason }
        let missing = transition.requires.filter { (fields[$0] ?? "").isEmpty }
        guard missing.isEmpty else { throw EngineError(.invalid, "\(name) needs \(missing.joined(separator: ", "))") }
        let sources = definition.sources(of: transition)
        self.definition = definition
        self.transition = transition
        self.states = filter.states.map { $0.filter(sources.contains) } ?? sources
        self.filter = filter
        self.actor = actor
        self.fields = fields
        self.reason = reason
        self.requestID = requestID
        self.context = context
    }

    func run(in engine: EngineTransaction) throws -> Int {
        let connection = engine.connection
        let now = engine.now
        let name = transition.name
        let prefix = filter.keyPrefix.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
        var selection = "workflow = $1 AND definition_version = $2 AND state = ANY($3::text[]) AND ($4::text IS NULL OR key LIKE $4) AND data @> $5::jsonb"
        var selectionParameters: [String?] = [definition.name, String(definition.version), states.postgresText, prefix, InstanceData.encode(filter.dataEquals).text]
        if let keys = filter.keys {
            selection += " AND key = ANY($\(selectionParameters.count + 1)::text[])"
            selectionParameters.append(keys.postgresText)
        }
        // Prepared: a domain moves the same shape over and over (an approval per command).
        let count = try connection.queryPrepared(
            "SELECT count(*) FROM (SELECT id FROM workflow_instances WHERE \(selection) ORDER BY id FOR UPDATE) locked",
            parameters: selectionParameters
        ).scalar(Int.self) ?? 0
        if let hook = transition.guardHook, let check = context.hooks.guards[hook] {
            let subject = HookContext(engine: engine, subject: .bulk(count: count, sourceStates: states), transition: name, to: transition.to, fields: fields, actor: actor)
            do { try check(subject) } catch let refusal as GuardRefusal {
                throw EngineError(.refused, "\(name) refused for \(count) instances: \(refusal.message)")
            }
        }
        var parameters = selectionParameters
        // The move's own parameters follow the selection's: $b+1 … $b+9.
        let b = selectionParameters.count
        func p(_ n: Int) -> String { "$\(b + n)" }
        parameters += [transition.to, InstanceData.encode(fields).text, now.postgresText, name, actor.name, actor.role, reason,
                       fields.isEmpty ? nil : InstanceData.encode(fields).text, requestID]
        var sql = """
            WITH target AS (
                SELECT id, state AS old_state FROM workflow_instances WHERE \(selection)
            ),
            moved AS (
                UPDATE workflow_instances i SET state = \(p(1)), version = i.version + 1, data = i.data || \(p(2))::jsonb, updated_at = \(p(3))::timestamptz
                FROM target t WHERE i.id = t.id
                RETURNING i.id, i.version, i.data, t.old_state
            ),
            history AS (
                INSERT INTO workflow_history (instance_id, seq, transition, from_state, to_state, actor, role, reason, payload, request_id, at)
                SELECT id, version, \(p(4)), old_state, \(p(1)), \(p(5)), \(p(6)), \(p(7)), \(p(8))::jsonb, \(p(9)), \(p(3))::timestamptz FROM moved
            ),
            cancelled AS (
                DELETE FROM workflow_timers w USING moved m WHERE w.instance_id = m.id
            )
            """
        if let timers = TimerSQL.arm(
            definition, state: transition.to, source: "moved", now: now, timeZone: context.timeZone,
            offset: parameters.count, selfLoopsSkipPastDue: true
        ) {
            sql += ", timers AS (\(timers.sql))"
            parameters += timers.parameters
        }
        sql += " SELECT count(*) FROM moved"
        let moved = try connection.queryPrepared(sql, parameters: parameters).scalar(Int.self) ?? 0
        if let hook = transition.effectHook, let effect = context.hooks.effects[hook] {
            try effect(HookContext(engine: engine, subject: .bulk(count: moved, sourceStates: states), transition: name, to: transition.to, fields: fields, actor: actor))
        }
        return moved
    }
}

extension WorkflowEngine {
    /// Applies one transition to every instance of `workflow` matching `filter`, in one
    /// transaction (see ``EngineTransaction/moveMany(workflow:transition:filter:actor:fields:reason:requestID:)``).
    /// Returns how many moved.
    @discardableResult
    public func bulkTransition(
        workflow: String, transition name: String, filter: BulkFilter = BulkFilter(), actor: Actor,
        fields: [String: String] = [:], reason: String? = nil, requestID: String? = nil
    ) async throws -> Int {
        let move = try BulkMove(workflow: workflow, transition: name, filter: filter, actor: actor, fields: fields, reason: reason, requestID: requestID, context: context)
        let context = self.context
        do {
            return try await pool.withTransaction { connection in
                try connection.execute("SET LOCAL work_mem = '256MB'")
                return try move.run(in: EngineTransaction(connection: connection, context: context))
            }
        } catch {
            throw EngineError.classify(error)
        }
    }
}
