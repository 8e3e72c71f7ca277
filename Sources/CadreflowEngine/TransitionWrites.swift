import CadreflowPostgres
import Foundation

/// Everything one decided transition must write.
struct TransitionRecord {
    /// The instance version when it was locked (the optimistic check).
    var lockedVersion: Int64
    /// The instance after the move.
    var after: InstanceSnapshot
    var transition: String
    var from: String
    var actor: Actor
    var reason: String?
    var payload: PostgresJSON?
    var requestID: String?
    var at: Date
    /// Whether the instance's stored timers must go (its old state defines timers).
    var cancelsTimers: Bool
    /// Timers of the new state.
    var timers: [PlannedTimer]
    var idempotency: (key: String, outcome: PostgresJSON)?
    /// The command's own statements, committed with the move.
    var attached: [PostgresStatement] = []
}

/// The writes of many transitions as a few set-based statements (`unnest` of arrays):
/// one statement updating the instances and inserting the history rows, one DELETE and
/// one INSERT of timers, one INSERT of idempotency records — however many transitions the
/// batch holds.
/// An instance moved several times in one batch is updated once, to its last state.
struct TransitionWrites {
    private var records: [TransitionRecord] = []

    mutating func add(_ record: TransitionRecord) {
        records.append(record)
    }

    var isEmpty: Bool { records.isEmpty }

    /// The statements, the UPDATE first.
    func statements() -> [PostgresStatement] {
        guard !records.isEmpty else { return [] }
        // The last record of each instance carries its final state; the first its locked version.
        var order: [Int64] = []
        var final: [Int64: TransitionRecord] = [:]
        var locked: [Int64: Int64] = [:]
        var cancel: Set<Int64> = []
        for record in records {
            let id = record.after.id
            if final[id] == nil { order.append(id); locked[id] = record.lockedVersion }
            final[id] = record
            if record.cancelsTimers { cancel.insert(id) }
        }
        let finals = order.compactMap { final[$0] }
        var statements: [PostgresStatement]
        if records.count == 1, let only = records.first {
            // A lone transition: plain statements plan faster than the set-based forms.
            statements = [
                PostgresStatement(
                    """
                    WITH moved AS (
                        UPDATE workflow_instances SET state = $2, version = $3, data = $4::jsonb, updated_at = $6 WHERE id = $1 AND version = $5 RETURNING 1),
                    logged AS (
                        INSERT INTO workflow_history (instance_id, seq, transition, from_state, to_state, actor, role, reason, payload, request_id, at)
                        VALUES ($1, $3, $7, $8, $2, $9, $10, $11, $12::jsonb, $13, $6))
                    SELECT workflow_expect_rows(count(*), 1) FROM moved
                    """,
                    only.after.id, only.after.state, only.after.version, InstanceData.encode(only.after.data), only.lockedVersion, only.at,
                    only.transition, only.from, only.actor.name, only.actor.role, only.reason, only.payload, only.requestID
                ),
            ]
        } else {
            statements = [setBasedWrite(finals: finals, locked: locked)]
        }
        statements += timerAndIdempotencyWrites(order: order, finals: finals, cancel: cancel)
        statements += records.flatMap(\.attached)
        return statements
    }

    /// The instances' UPDATE (checked against their versions) and the history rows, as
    /// one statement.
    private func setBasedWrite(finals: [TransitionRecord], locked: [Int64: Int64]) -> PostgresStatement {
        PostgresStatement(
            """
            WITH moved AS (
                UPDATE workflow_instances i SET state = d.state, version = d.version, data = d.data, updated_at = d.at
                FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::jsonb[], $5::bigint[], $6::timestamptz[]) AS d(id, state, version, data, locked, at)
                WHERE i.id = d.id AND i.version = d.locked
                RETURNING 1),
            logged AS (
                INSERT INTO workflow_history (instance_id, seq, transition, from_state, to_state, actor, role, reason, payload, request_id, at)
                SELECT * FROM unnest($8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::jsonb[], $17::text[], $18::timestamptz[]))
            SELECT workflow_expect_rows(count(*), $7) FROM moved
            """,
            finals.map(\.after.id), finals.map(\.after.state), finals.map(\.after.version),
            finals.map { InstanceData.encode($0.after.data) }, finals.map { locked[$0.after.id] ?? 0 }, finals.map(\.at), finals.count,
            records.map(\.after.id), records.map(\.after.version), records.map(\.transition), records.map(\.from),
            records.map(\.after.state), records.map(\.actor.name), records.map(\.actor.role), records.map(\.reason),
            records.map(\.payload), records.map(\.requestID), records.map(\.at)
        )
    }

    private func timerAndIdempotencyWrites(order: [Int64], finals: [TransitionRecord], cancel: Set<Int64>) -> [PostgresStatement] {
        var statements: [PostgresStatement] = []
        if !cancel.isEmpty {
            statements.append(PostgresStatement("DELETE FROM workflow_timers WHERE instance_id = ANY($1::bigint[])", order.filter(cancel.contains)))
        }
        let timers = finals.flatMap { record in record.timers.map { (record.after.id, record.after.version, $0) } }
        if !timers.isEmpty {
            statements.append(PostgresStatement(
                "INSERT INTO workflow_timers (instance_id, transition, due_at, armed_version) SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::bigint[])",
                timers.map(\.0), timers.map(\.2.transition), timers.map(\.2.dueAt), timers.map(\.1)
            ))
        }
        let keyed = records.compactMap { record in record.idempotency.map { (record.after.id, $0.key, $0.outcome) } }
        if !keyed.isEmpty {
            statements.append(PostgresStatement(
                "INSERT INTO workflow_idempotency (key, instance_id, outcome) SELECT * FROM unnest($1::text[], $2::bigint[], $3::jsonb[])",
                keyed.map(\.1), keyed.map(\.0), keyed.map(\.2)
            ))
        }
        return statements
    }

    /// Sends the statements (with a BEGIN before and a COMMIT after, when asked) in one
    /// pipeline; throws the first failure. The UPDATE fails the transaction itself when an
    /// instance is no longer at the version it was decided on (`workflow_expect_rows`).
    func send(on connection: PostgresConnection, begin: Bool = false, commit: Bool) throws {
        var batch = statements()
        if begin { batch.insert(PostgresStatement(sql: "BEGIN", parameters: []), at: 0) }
        if commit { batch.append(PostgresStatement(sql: "COMMIT", parameters: [])) }
        guard !batch.isEmpty else { return }
        let results = try connection.pipeline(batch, mode: .atomic)
        for result in results {
            if case .failure(let error) = result { throw error }
        }
    }
}
