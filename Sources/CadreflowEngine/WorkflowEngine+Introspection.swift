import CadreflowPostgres
import Foundation

/// One row of an instance's history.
public struct HistoryEntry: Sendable, Equatable {
    /// The instance version this entry produced (1 = creation).
    public var seq: Int64
    /// The transition (`create` for the creation).
    public var transition: String
    /// The state before (nil for the creation).
    public var from: String?
    /// The state after.
    public var to: String
    /// Who acted.
    public var actor: String
    /// In which role.
    public var role: String
    /// The reason given, if any.
    public var reason: String?
    /// The fields supplied, as JSON text.
    public var payload: String?
    /// The protocol request id, if any.
    public var requestID: String?
    /// When.
    public var at: Date
}

/// How many instances of a workflow are in a state.
public struct StateCount: Sendable, Equatable {
    /// The workflow.
    public var workflow: String
    /// The state.
    public var state: String
    /// The number of instances.
    public var count: Int
}

/// A stored timer.
public struct TimerEntry: Sendable, Equatable {
    /// The timer's id.
    public var id: Int64
    /// The instance's key.
    public var instanceKey: String
    /// The instance's workflow.
    public var workflow: String
    /// The transition it fires.
    public var transition: String
    /// When it is due.
    public var dueAt: Date
}

extension WorkflowEngine {
    /// The stored first outcome of a transition made with `idempotencyKey` (marked replayed),
    /// or nil when none was. A caller whose rules, checked before it moves, refuse a retry of
    /// a move that committed (its reply lost) looks here, to answer as the first was.
    public func storedOutcome(idempotencyKey: String) async throws -> TransitionOutcome? {
        let statement = TransitionApplier.replayStatement([idempotencyKey])
        return try await pool.withConnection { connection in
            let result = try connection.query(statement.sql, parameters: statement.parameters)
            guard var outcome = try TransitionApplier.replays(from: result)[idempotencyKey] else { return nil }
            outcome.replayed = true
            return outcome
        }
    }

    /// The history of one instance, oldest first.
    public func history(_ ref: InstanceRef) async throws -> [HistoryEntry] {
        let instance = try await self.instance(ref)
        return try await pool.withConnection { connection in
            try connection.query(
                "SELECT seq, transition, from_state, to_state, actor, role, reason, payload::text, request_id, at FROM workflow_history WHERE instance_id = $1 ORDER BY seq",
                instance.id
            ).rows.map { row in
                HistoryEntry(
                    seq: try row.decode(0), transition: try row.decode(1), from: try row.decode(2), to: try row.decode(3),
                    actor: try row.decode(4), role: try row.decode(5), reason: try row.decode(6), payload: try row.decode(7),
                    requestID: try row.decode(8), at: try row.decode(9)
                )
            }
        }
    }

    /// Instance counts by workflow and state (one workflow, or all).
    public func countsByState(workflow: String? = nil) async throws -> [StateCount] {
        try await pool.withConnection { connection in
            try connection.query(
                "SELECT workflow, state, count(*) FROM workflow_instances WHERE ($1::text IS NULL OR workflow = $1) GROUP BY workflow, state ORDER BY workflow, state",
                workflow
            ).rows.map { StateCount(workflow: try $0.decode(0), state: try $0.decode(1), count: try $0.decode(2)) }
        }
    }

    /// Timers in due order (the earliest `limit`), optionally only those due by `before`.
    public func timers(before: Date? = nil, limit: Int = 100) async throws -> [TimerEntry] {
        try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT t.id, i.key, i.workflow, t.transition, t.due_at FROM workflow_timers t
                JOIN workflow_instances i ON i.id = t.instance_id
                WHERE ($1::timestamptz IS NULL OR t.due_at <= $1) ORDER BY t.due_at, t.id LIMIT $2
                """,
                before, limit
            ).rows.map {
                TimerEntry(id: try $0.decode(0), instanceKey: try $0.decode(1), workflow: try $0.decode(2), transition: try $0.decode(3), dueAt: try $0.decode(4))
            }
        }
    }
}

extension WorkflowEngine {
    /// Which of `keys` name an instance of `workflow`.
    public func existingKeys(workflow: String, among keys: [String]) async throws -> Set<String> {
        try await pool.withConnection { connection in
            Set(try connection.query(
                "SELECT key FROM workflow_instances WHERE workflow = $1 AND key = ANY($2::text[])", workflow, keys
            ).rows.map { try $0.decode(0, as: String.self) })
        }
    }
}
