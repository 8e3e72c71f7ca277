import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

extension AssessmentService {
    /// Approves the reviewed assessments of one cadre, or of a whole unit, for a month, on
    /// the caller's transaction (with the command's audit row and `idem=`): the approvals
    /// of a unit and month take turns (an advisory lock), the quota of each quota group is
    /// checked on the counts inside the transaction (``QuotaCheck``), and over quota
    /// nothing is approved. The base is every assessment of the group that month that is
    /// not exempt, so that approving one cadre at a time meets the same limit as approving
    /// the unit at once.
    public func approve(month: AssessmentPeriod, cadre: String?, unit named: String?, by requester: Requester, on connection: PostgresConnection) throws -> String {
        let (ruleSet, deadlines) = try schedule(month)
        let unit: String
        if let cadre {
            let record = try Self.record(Self.assessmentKey(month, cadre: cadre), deadlines: deadlines, on: connection, locking: true)
            _ = try AssessmentPermission.check(.approve, record.facts, by: requester, today: calendar.currentDay())
            unit = record.facts.unit
            if record.data["grade"] != ruleSet.quota.grade.rawValue {
                // Not the limited grade: this approval adds nothing to the quota's count, so
                // there is nothing to count (most approvals; the row lock above keeps it whole).
                let moved = try engine.transaction(on: connection).moveMany(
                    workflow: Self.assessmentWorkflow, transition: AssessmentAction.approve.rawValue,
                    filter: BulkFilter(states: ["reviewed"], keys: [record.key]), actor: Self.actor(requester, role: "manager"),
                    fields: ["approved_by": requester.login, "approved_on": calendar.currentDay().description]
                )
                return "approved \(moved) in unit \(unit) for \(month) (grade \(record.data["grade"] ?? "?"): the \(ruleSet.quota.grade.rawValue) quota is not touched)"
            }
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
        }
        try connection.queryPrepared("SELECT pg_advisory_xact_lock(hashtext($1))", "assessment-quota/\(month)/\(unit)")
        let limited = ruleSet.quota.grade.rawValue
        let groups = try connection.queryPrepared(
            """
            SELECT CASE WHEN $5::boolean THEN coalesce(i.data->>'level', 'staff') ELSE '' END,
                   count(*) FILTER (WHERE i.state <> 'exempt'),
                   count(*) FILTER (WHERE i.state = 'approved' AND i.data->>'grade' = $3),
                   count(*) FILTER (WHERE i.state = 'reviewed' AND i.data->>'grade' = $3 AND ($4::text IS NULL OR i.key = $4::text)),
                   count(*) FILTER (WHERE i.state = 'reviewed' AND ($4::text IS NULL OR i.key = $4::text))
            FROM workflow_instances i
            WHERE i.workflow = 'assessment' AND i.data->>'month' = $1 AND i.data->>'unit' = $2
            GROUP BY 1 ORDER BY 1
            """,
            month.description, unit, limited, cadre.map { Self.assessmentKey(month, cadre: $0) }, ruleSet.quota.group == .unitLevel
        ).rows.map { row in
            (level: try row.decode(0, as: String.self), graded: try row.decode(1, as: Int.self), current: try row.decode(2, as: Int.self),
             proposed: try row.decode(3, as: Int.self), targets: try row.decode(4, as: Int.self))
        }
        let targets = groups.reduce(0) { $0 + $1.targets }
        guard targets > 0 else {
            throw DomainError(.conflict, "no reviewed assessment to approve in unit \(unit) for \(month)")
        }
        let outstanding = try connection.queryPrepared(
            "SELECT 1 FROM assessment_outstanding_units WHERE month = $1 AND unit_code = $2", month.description, unit
        ).rowCount > 0
        var checks: [(String, QuotaCheck)] = []
        // Under quarterly grading a month is scored but not graded: its quota is the
        // quarter's and the year's (REPORT GRADES <quarter>, REPORT YEAR), not the month's.
        let graded = ruleSet.isGraded(month)
        switch graded ? ruleSet.quota.group : nil {
        case nil:
            break
        case .unit:
            let check = QuotaCheck.period(
                graded: groups.reduce(0) { $0 + $1.graded }, current: groups.reduce(0) { $0 + $1.current },
                proposed: groups.reduce(0) { $0 + $1.proposed }, outstanding: outstanding, ruleSet: ruleSet
            )
            checks.append(("unit \(unit)", check))
        case .unitLevel:
            for group in groups where group.proposed > 0 || group.targets > 0 {
                checks.append(("unit \(unit), level \(group.level)", QuotaCheck.period(
                    graded: group.graded, current: group.current, proposed: group.proposed, outstanding: outstanding, ruleSet: ruleSet
                )))
            }
        }
        if let (group, over) = checks.first(where: { !$0.1.allowed }) {
            throw DomainError(.quota, "\(group), \(month): \(over.message); nothing approved", field: over.field)
        }
        // The targets through the month-and-unit index; the engine moves them by key.
        let keys = try cadre.map { [Self.assessmentKey(month, cadre: $0)] } ?? connection.query(
            """
            SELECT key FROM workflow_instances
            WHERE workflow = 'assessment' AND data->>'month' = $1 AND data->>'unit' = $2 AND state = 'reviewed'
            """,
            month.description, unit
        ).rows.map { try $0.decode(0, as: String.self) }
        let moved = try engine.transaction(on: connection).moveMany(
            workflow: Self.assessmentWorkflow, transition: AssessmentAction.approve.rawValue,
            filter: BulkFilter(states: ["reviewed"], dataEquals: ["month": month.description, "unit": unit], keys: keys), actor: Self.actor(requester, role: "manager"),
            fields: ["approved_by": requester.login, "approved_on": calendar.currentDay().description]
        )
        let quota = graded
            ? checks.map { "\($0.0): \($0.1.message)" }.joined(separator: "; ")
            : "months are not graded under \(ruleSet.name): the quota applies to the quarter and the year"
        return "approved \(moved) in unit \(unit) for \(month) (\(quota))"
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
