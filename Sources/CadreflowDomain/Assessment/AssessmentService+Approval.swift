import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

extension AssessmentService {
    /// Approves the reviewed assessments of one cadre, or of a whole unit, for a month, on
    /// the caller's transaction (with the command's audit row and `idem=`). When an A is
    /// among them, the approvals of a unit and month take turns (an advisory lock), the
    /// quota of each quota group is checked on the counts inside the transaction
    /// (``QuotaCheck``), and over quota nothing is approved. The base is every assessment
    /// of the group that month that is not exempt, so that approving one cadre at a time
    /// meets the same limit as approving the unit at once.
    public func approve(month: AssessmentPeriod, cadre: String?, unit named: String?, by requester: Requester, on connection: PostgresConnection) throws -> String {
        let (ruleSet, deadlines) = try schedule(month)
        let unit: String
        let targets: [(key: String, grade: String?)]
        if let cadre {
            let record = try Self.record(Self.assessmentKey(month, cadre: cadre), deadlines: deadlines, on: connection, locking: true)
            _ = try AssessmentPermission.check(.approve, record.facts, by: requester, today: calendar.currentDay())
            unit = record.facts.unit
            targets = [(record.key, record.grade)]
        } else {
            unit = try Self.scopeUnit(named, by: requester)
            let path = try Self.unitPath(unit, by: requester, on: connection)
            try AssessmentPermission.requireApprover(unit: unit, unitPath: path, by: requester)
            let closed = try connection.query(
                """
                SELECT 1 FROM workflow_instances i JOIN workflow_instances c ON c.key = i.data->>'cycle'
                WHERE i.workflow = 'assessment' AND i.data->>'month' = $1 AND i.data->>'unit' = $2 AND c.state = 'closed' LIMIT 1
                """,
                month.description, unit
            ).rowCount > 0
            if closed { throw DomainError(.conflict, "the \(month) cycle is closed: its results are frozen") }
            // The targets through the month-and-unit index; the engine moves them by key.
            targets = try connection.query(
                """
                SELECT key, data->>'grade' FROM workflow_instances
                WHERE workflow = 'assessment' AND data->>'month' = $1 AND data->>'unit' = $2 AND state = 'reviewed'
                """,
                month.description, unit
            ).rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String?.self)) }
            guard !targets.isEmpty else { throw DomainError(.conflict, "no reviewed assessment to approve in unit \(unit) for \(month)") }
        }
        let quota: String
        if !targets.contains(where: { Self.approvalNeedsQuota(grade: $0.grade, month: month, ruleSet: ruleSet) }) {
            // Approving no A cannot raise the count of As: nothing to count (most approvals).
            // Under quarterly grading a month is scored but not graded: its quota is the
            // quarter's and the year's (YEAR APPROVE), not the month's.
            quota = Self.untouchedQuota(month: month, ruleSet: ruleSet)
        } else {
            quota = try checkQuota(month: month, unit: unit, cadreKey: cadre.map { Self.assessmentKey(month, cadre: $0) }, ruleSet: ruleSet, on: connection)
        }
        let moved = try engine.transaction(on: connection).moveMany(
            workflow: Self.assessmentWorkflow, transition: AssessmentAction.approve.rawValue,
            filter: BulkFilter(states: ["reviewed"], dataEquals: ["month": month.description, "unit": unit], keys: targets.map(\.key)),
            actor: Self.actor(requester, role: "manager"),
            fields: ["approved_by": requester.login, "approved_on": calendar.currentDay().description]
        )
        return "approved \(moved) in unit \(unit) for \(month) (\(quota))"
    }

    /// The month's quota for approving the unit's reviewed As (or the one of `cadreKey`):
    /// the unit's approvals take turns (an advisory lock), each quota group is counted
    /// inside the transaction, and over the limit nothing is approved. Returns the counts.
    private func checkQuota(month: AssessmentPeriod, unit: String, cadreKey: String?, ruleSet: RuleSet, on connection: PostgresConnection) throws -> String {
        try connection.queryPrepared("SELECT pg_advisory_xact_lock(hashtext($1))", "assessment-quota/\(month)/\(unit)")
        let byLevel = ruleSet.quota.group == .unitLevel
        let groups = try connection.queryPrepared(
            """
            SELECT CASE WHEN $5::boolean THEN coalesce(i.data->>'level', 'staff') ELSE '' END,
                   count(*) FILTER (WHERE i.state <> 'exempt'),
                   count(*) FILTER (WHERE i.state = 'approved' AND i.data->>'grade' = $3),
                   count(*) FILTER (WHERE i.state = 'reviewed' AND i.data->>'grade' = $3 AND ($4::text IS NULL OR i.key = $4::text))
            FROM workflow_instances i
            WHERE i.workflow = 'assessment' AND i.data->>'month' = $1 AND i.data->>'unit' = $2
            GROUP BY 1 ORDER BY 1
            """,
            month.description, unit, ruleSet.quota.grade.rawValue, cadreKey, byLevel
        ).rows.map { row in
            (level: try row.decode(0, as: String.self), graded: try row.decode(1, as: Int.self), current: try row.decode(2, as: Int.self),
             proposed: try row.decode(3, as: Int.self))
        }
        let outstanding = try connection.queryPrepared(
            "SELECT 1 FROM assessment_outstanding_units WHERE month = $1 AND unit_code = $2", month.description, unit
        ).rowCount > 0
        let checks: [(String, QuotaCheck)] = byLevel
            ? groups.filter { $0.proposed > 0 }.map { group in
                ("unit \(unit), level \(group.level)", QuotaCheck.period(
                    graded: group.graded, current: group.current, proposed: group.proposed, outstanding: outstanding, ruleSet: ruleSet
                ))
            }
            : [("unit \(unit)", QuotaCheck.period(
                graded: groups.reduce(0) { $0 + $1.graded }, current: groups.reduce(0) { $0 + $1.current },
                proposed: groups.reduce(0) { $0 + $1.proposed }, outstanding: outstanding, ruleSet: ruleSet
            ))]
        if let (group, over) = checks.first(where: { !$0.1.allowed }) {
            throw DomainError(.quota, "\(group), \(month): \(over.message); nothing approved", field: over.field)
        }
        return checks.map { "\($0.0): \($0.1.message)" }.joined(separator: "; ")
    }

    /// Marks a unit outstanding for a month (its quota share is the outstanding one), or not.
    public func markOutstanding(month: AssessmentPeriod, unit: String, outstanding: Bool, by requester: Requester, on connection: PostgresConnection) throws -> String {
        _ = try rules.ruleSet(for: month)
        guard requester.role == .organizer else { throw DomainError(.denied, "only an organizer marks a unit outstanding") }
        _ = try Self.unitPath(unit, by: requester, on: connection)
        if outstanding {
            try connection.query(
                "INSERT INTO assessment_outstanding_units (month, unit_code, marked_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                month.description, unit, requester.login
            )
        } else {
            try connection.query("DELETE FROM assessment_outstanding_units WHERE month = $1 AND unit_code = $2", month.description, unit)
        }
        return "unit \(unit) \(outstanding ? "is" : "is not") outstanding for \(month)"
    }
}
