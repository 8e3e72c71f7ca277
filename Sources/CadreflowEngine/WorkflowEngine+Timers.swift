import CadreflowPostgres
import Foundation

/// What one round of timer firing did.
public struct TimerReport: Sendable, Equatable {
    /// Timers whose transition was applied.
    public var fired = 0
    /// Timers whose transition was no longer legal (recorded in `workflow_timer_log`).
    public var dropped = 0

    /// A report from its counts.
    public init(fired: Int = 0, dropped: Int = 0) {
        self.fired = fired
        self.dropped = dropped
    }
}

extension WorkflowEngine {
    /// Fires the timers due by the engine's clock, at most `limit` of them, in one
    /// transaction: claimed with FOR UPDATE SKIP LOCKED and deleted as they fire, so two
    /// engines on one database never fire the same timer; a crash before COMMIT leaves
    /// them to fire later. Timers that fell due while the service was down fire on the
    /// first round after start (catch-up).
    @discardableResult
    public func fireDueTimers(limit: Int = 500) async throws -> TimerReport {
        let context = self.context
        do {
            return try await pool.withTransaction { connection in
                let now = context.clock.now()
                let claimed = try connection.query(
                    """
                    DELETE FROM workflow_timers WHERE id IN (
                        SELECT id FROM workflow_timers WHERE due_at <= $1 ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
                    ) RETURNING id, instance_id, transition, due_at
                    """,
                    now, limit
                )
                struct Claim { var id: Int64; var instance: Int64; var transition: String; var dueAt: Date }
                let claims = try claimed.rows.map {
                    Claim(id: try $0.decode(0), instance: try $0.decode(1), transition: try $0.decode(2), dueAt: try $0.decode(3))
                }.sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
                guard !claims.isEmpty else { return TimerReport() }
                var instances = try TransitionApplier.lockInstances(claims.map { .id($0.instance) }, connection: connection)
                let applier = TransitionApplier(context: context)
                var report = TimerReport()
                for claim in claims {
                    let outcome: String?
                    if let snapshot = instances[.id(claim.instance)] {
                        let command = TransitionCommand(instance: .id(claim.instance), transition: claim.transition, actor: .system, requestID: "timer:\(claim.id)")
                        do {
                            // A savepoint per timer: one that fails leaves the others alone.
                            outcome = try connection.transaction { connection -> String? in
                                switch try applier.apply(command, to: snapshot, connection: connection) {
                                case .failure(let error):
                                    return error.message
                                case .success(let applied):
                                    var writes = TransitionWrites()
                                    writes.add(applied.record)
                                    try writes.send(on: connection, commit: false)
                                    instances.store(applied.outcome.instance)
                                    return nil
                                }
                            }
                        } catch let error as PostgresError where !error.isConnectionFailure {
                            outcome = "failed: \(error.message)"
                        } catch let error where !(error is PostgresError) {
                            // A hook refused inside its effect (the savepoint undid it): the
                            // timer is dropped with the reason, and the other timers go on.
                            outcome = "failed: \(error)"
                        }
                    } else {
                        outcome = "the instance no longer exists"
                    }
                    if let reason = outcome {
                        report.dropped += 1
                        try connection.query(
                            "INSERT INTO workflow_timer_log (timer_id, instance_id, transition, due_at, outcome, detail) VALUES ($1, $2, $3, $4, 'dropped', $5)",
                            claim.id, claim.instance, claim.transition, claim.dueAt, reason
                        )
                    } else {
                        report.fired += 1
                    }
                }
                return report
            }
        } catch {
            throw EngineError.classify(error)
        }
    }
}
