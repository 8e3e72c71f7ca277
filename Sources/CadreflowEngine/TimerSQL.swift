import CadreflowPostgres
import Foundation

/// Set-based arming of the timers a state defines, for bulk creation and bulk moves.
enum TimerSQL {
    /// A data-modifying CTE body that inserts the timers of `state` for rows of `source`
    /// (a CTE with columns id, version, data, and old_state when `selfLoopsSkipPastDue`).
    /// Parameters start after `offset`; returns nil when the state has no timers. With
    /// `selfLoopsSkipPastDue`, rows that stayed in `state` get only timers still in the future.
    static func arm(
        _ definition: WorkflowDefinition, state: String, source: String, now: Date, timeZone: TimeZone, offset: Int,
        selfLoopsSkipPastDue: Bool = false
    ) -> (sql: String, parameters: [String?])? {
        let timers = definition.timers.filter { $0.state == state }
        guard !timers.isEmpty else { return nil }
        let p = (1...7).map { "$\(offset + $0)" }
        let sql = """
            INSERT INTO workflow_timers (instance_id, transition, due_at, armed_version)
            SELECT c.id, t.fire, d.due, c.version
            FROM \(source) c
            CROSS JOIN unnest(\(p[0])::text[], \(p[1])::int[], \(p[2])::text[], \(p[3])::int[]) AS t(fire, after_s, field, off_s)
            CROSS JOIN LATERAL (SELECT CASE
                WHEN t.after_s IS NOT NULL THEN \(p[4])::timestamptz + make_interval(secs => t.after_s)
                WHEN (c.data->>t.field) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
                    THEN ((c.data->>t.field)::date::timestamp AT TIME ZONE \(p[5])) + make_interval(secs => t.off_s)
                WHEN (c.data->>t.field) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
                    THEN (c.data->>t.field)::timestamptz + make_interval(secs => t.off_s)
                END AS due) d
            WHERE d.due IS NOT NULL\(selfLoopsSkipPastDue ? " AND (c.old_state <> \(p[6]) OR d.due > \(p[4])::timestamptz)" : "")
            """
        let parameters: [String?] = [
            timers.map(\.fire).postgresText,
            timers.map { $0.afterSeconds }.postgresText,
            timers.map { $0.atField }.postgresText,
            timers.map(\.offsetSeconds).postgresText,
            now.postgresText,
            timeZone.identifier,
        ] + (selfLoopsSkipPastDue ? [state] : [])
        return (sql, parameters)
    }
}
