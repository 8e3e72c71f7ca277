import CadreflowPostgres
import Foundation

/// Where the rows of a bulk creation come from: a SELECT yielding (key text, data jsonb).
public struct BulkSource: Sendable {
    /// The SELECT, with its own `$1…` parameters.
    public var sql: String
    /// Its parameters in text form.
    public var parameters: [String?]

    /// Rows given by value: keys and their data.
    public static func rows(keys: [String], data: [[String: String]]? = nil) -> BulkSource {
        let json = data?.map { InstanceData.encode($0) } ?? Array(repeating: PostgresJSON(text: "{}"), count: keys.count)
        return BulkSource(sql: "SELECT * FROM unnest($1::text[], $2::jsonb[])", parameters: [keys.postgresText, json.postgresText])
    }

    /// Rows from a query of the domain's tables, e.g. every active cadre of a unit.
    public static func query(_ sql: String, _ binds: [any PostgresEncodable] = []) -> BulkSource {
        BulkSource(sql: sql, parameters: binds.map { $0.postgresText })
    }
}

/// Which instances a bulk transition moves (always within one workflow).
public struct BulkFilter: Sendable {
    /// Only instances in these states (default: every state the transition starts from).
    public var states: [String]?
    /// Only instances whose key starts with this.
    public var keyPrefix: String?
    /// Only instances whose data holds these fields with these values.
    public var dataEquals: [String: String]

    /// A filter; no arguments selects every instance the transition can start from.
    public init(states: [String]? = nil, keyPrefix: String? = nil, dataEquals: [String: String] = [:]) {
        self.states = states
        self.keyPrefix = keyPrefix
        self.dataEquals = dataEquals
    }
}

extension WorkflowEngine {
    /// Creates one instance per source row in one statement: instances, their creation
    /// history rows and their timers, all or nothing. Returns how many were created.
    @discardableResult
    public func bulkCreate(workflow: String, source: BulkSource, actor: Actor, requestID: String? = nil) async throws -> Int {
        guard let definition = catalog.current(workflow) else { throw EngineError(.invalid, "unknown workflow \(workflow)") }
        let context = self.context
        do {
            return try await pool.withTransaction { connection in
                // The created rows pass through a CTE: keep a million of them in memory.
                try connection.execute("SET LOCAL work_mem = '256MB'")
                let now = context.clock.now()
                let base = source.parameters.count
                let armsTimers = definition.timers.contains { $0.state == definition.initial }
                var parameters = source.parameters
                parameters += [definition.name, String(definition.version), definition.initial, now.postgresText, actor.name, actor.role, requestID]
                let p = (1...7).map { "$\(base + $0)" }
                var sql = """
                    WITH source AS (\(source.sql)),
                    created AS (
                        INSERT INTO workflow_instances (workflow, definition_version, key, state, data, created_at, updated_at)
                        SELECT \(p[0]), \(p[1])::int, s.key, \(p[2]), s.data, \(p[3])::timestamptz, \(p[3])::timestamptz
                        FROM source AS s(key, data)
                        RETURNING \(armsTimers ? "id, version, data" : "id")
                    ),
                    history AS (
                        INSERT INTO workflow_history (instance_id, seq, transition, to_state, actor, role, request_id, at)
                        SELECT id, 1, 'create', \(p[2]), \(p[4]), \(p[5]), \(p[6]), \(p[3])::timestamptz FROM created
                    )
                    """
                if let timers = TimerSQL.arm(definition, state: definition.initial, source: "created", now: now, timeZone: context.timeZone, offset: parameters.count) {
                    sql += ", timers AS (\(timers.sql))"
                    parameters += timers.parameters
                }
                sql += " SELECT count(*) FROM created"
                return try connection.query(sql, parameters: parameters).scalar(Int.self) ?? 0
            }
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw EngineError(.invalid, "bulk creation of \(workflow): a key exists already (\(error.detail ?? error.message)); nothing was created")
        } catch {
            throw EngineError.classify(error)
        }
    }

    /// Applies one transition to every instance of `workflow` matching `filter`, in one
    /// transaction: each moved instance gets its history row, its old state's timers are
    /// cancelled and its new state's armed. The guard hook (if any) sees the count first
    /// and may refuse the whole set; the effect hook runs after the move. Returns how many moved.
    @discardableResult
    public func bulkTransition(
        workflow: String, transition name: String, filter: BulkFilter = BulkFilter(), actor: Actor,
        fields: [String: String] = [:], reason: String? = nil, requestID: String? = nil
    ) async throws -> Int {
        guard let definition = catalog.current(workflow) else { throw EngineError(.invalid, "unknown workflow \(workflow)") }
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
        let states = filter.states.map { $0.filter(sources.contains) } ?? sources
        let prefix = filter.keyPrefix.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
        let context = self.context
        let finalFields = fields
        do {
            return try await pool.withTransaction { connection in
                try connection.execute("SET LOCAL work_mem = '256MB'")
                let now = context.clock.now()
                let selection = "workflow = $1 AND definition_version = $2 AND state = ANY($3::text[]) AND ($4::text IS NULL OR key LIKE $4) AND data @> $5::jsonb"
                let selectionParameters: [String?] = [workflow, String(definition.version), states.postgresText, prefix, InstanceData.encode(filter.dataEquals).text]
                let count = try connection.query(
                    "SELECT count(*) FROM (SELECT id FROM workflow_instances WHERE \(selection) ORDER BY id FOR UPDATE) locked",
                    parameters: selectionParameters
                ).scalar(Int.self) ?? 0
                let hookContext = HookContext(
                    connection: connection, instance: nil, bulkCount: count, transition: name,
                    from: states.joined(separator: ","), to: transition.to, fields: finalFields, actor: actor, now: now
                )
                if let hook = transition.guardHook, let check = context.hooks.guards[hook] {
                    do { try check(hookContext) } catch let refusal as GuardRefusal {
                        throw EngineError(.refused, "\(name) refused for \(count) instances: \(refusal.message)")
                    }
                }
                var parameters = selectionParameters
                parameters += [transition.to, InstanceData.encode(finalFields).text, now.postgresText, name, actor.name, actor.role, reason,
                               finalFields.isEmpty ? nil : InstanceData.encode(finalFields).text, requestID]
                var sql = """
                    WITH target AS (
                        SELECT id, state AS old_state FROM workflow_instances WHERE \(selection)
                    ),
                    moved AS (
                        UPDATE workflow_instances i SET state = $6, version = i.version + 1, data = i.data || $7::jsonb, updated_at = $8::timestamptz
                        FROM target t WHERE i.id = t.id
                        RETURNING i.id, i.version, i.data, t.old_state
                    ),
                    history AS (
                        INSERT INTO workflow_history (instance_id, seq, transition, from_state, to_state, actor, role, reason, payload, request_id, at)
                        SELECT id, version, $9, old_state, $6, $10, $11, $12, $13::jsonb, $14, $8::timestamptz FROM moved
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
                let moved = try connection.query(sql, parameters: parameters).scalar(Int.self) ?? 0
                if let hook = transition.effectHook, let effect = context.hooks.effects[hook] {
                    try effect(HookContext(
                        connection: connection, instance: nil, bulkCount: moved, transition: name,
                        from: hookContext.from, to: transition.to, fields: finalFields, actor: actor, now: now
                    ))
                }
                return moved
            }
        } catch {
            throw EngineError.classify(error)
        }
    }
}
