import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// What opening a month's cycle for a unit did.
public struct CycleOpening: Sendable, Equatable {
    /// The cycle's key.
    public var key: String
    /// False when the cycle existed already (then only missing assessments were created).
    public var opened: Bool
    /// Assessments created now.
    public var created: Int
    /// Cadres of the scope that had their assessment already.
    public var existing: Int
    /// The month's deadlines.
    public var deadlines: DeadlineSchedule
    /// The rule set in force for the month.
    public var ruleSet: String
}

/// One cycle as `CYCLE LIST` shows it.
public struct CycleSummary: Sendable, Equatable {
    public var key: String
    public var month: String
    public var unit: String
    public var state: String
    public var ruleSet: String
    public var closeOn: String
    public var assessments: Int
    public var approved: Int
}

extension AssessmentService {
    /// The source rows of a month's assessments for a unit subtree: one per active cadre,
    /// assessed by the unit of their work-history entry in force on the month's last day
    /// (a cadre whose recorded work starts after the month is not assessed for it).
    /// Parameters: month, cycle key, last day, scope path.
    public static let assessmentSource = """
        SELECT 'assessment/' || $1::text || '/' || c.code AS key,
               jsonb_build_object('month', $1::text, 'cadre', c.code, 'unit', u.code, 'level', coalesce(w.level, c.level), 'cycle', $2::text) AS data
        FROM cadres c
        LEFT JOIN LATERAL (
            SELECT h.unit_code, h.level FROM cadre_work_history h
            WHERE h.cadre_code = c.code AND h.valid_from <= $3::date AND (h.valid_to IS NULL OR h.valid_to >= $3::date)
            ORDER BY h.valid_from DESC, h.id DESC LIMIT 1
        ) w ON true
        JOIN units u ON u.code = coalesce(w.unit_code, c.unit_code)
        WHERE c.status = 'active'
          AND (w.unit_code IS NOT NULL OR NOT EXISTS (SELECT 1 FROM cadre_work_history h2 WHERE h2.cadre_code = c.code))
          AND (u.path = $4::text OR starts_with(u.path, $4::text || '/'))
        """

    /// Assessments created at once past which the instances table is analysed.
    static let analyzeAfter = 10_000

    /// Opens `month`'s cycle for a unit and creates one assessment per active cadre of its
    /// subtree, through the engine's set-based creation (split over connections for a large
    /// city). Opening again creates only what is missing (nothing, when nothing changed):
    /// a month opening cut short resumes. `auditStatements` commit with the cycle.
    public func openCycle(
        month: AssessmentPeriod, unit named: String?, by requester: Requester, actor: Actor, requestID: String? = nil,
        auditStatements: [PostgresStatement] = []
    ) async throws -> CycleOpening {
        guard month.kind == .month else { throw DomainError.invalid("month", "\(month) is not a month (YYYY-MM)") }
        let (ruleSet, deadlines) = try schedule(month)
        let unit = try Self.scopeUnit(named, by: requester)
        let key = Self.cycleKey(month, unit: unit)
        guard let lastDay = CalendarDay(year: month.year, month: month.number, day: CalendarDay.days(year: month.year, month: month.number)) else {
            throw DomainError.invalid("month", "\(month) has no last day")
        }
        let cycleData = [
            "month": month.description, "unit": unit, "rule_set": ruleSet.name,
            "self_deadline": deadlines.selfAssessment.description, "review_deadline": deadlines.review.description,
            "approval_deadline": deadlines.approval.description, "close_on": deadlines.close.description,
        ]
        let engine = self.engine
        let (opened, expected, path) = try await pool.withTransaction { connection -> (Bool, Int, String) in
            let path = try Self.unitPath(unit, by: requester, on: connection)
            try connection.query("SELECT pg_advisory_xact_lock(hashtext($1))", "cycle-open/" + key)
            for statement in auditStatements { try connection.query(statement.sql, parameters: statement.parameters) }
            let exists = try connection.query("SELECT 1 FROM workflow_instances WHERE key = $1", key).rowCount > 0
            if !exists {
                try engine.transaction(on: connection).create(workflow: Self.cycleWorkflow, key: key, data: cycleData, actor: actor, requestID: requestID)
            }
            // About how many rows the source yields (the active cadres of the subtree by
            // today's unit), to choose the split path; the creation counts exactly.
            let expected = try connection.query(
                """
                SELECT count(*) FROM cadres c JOIN units u ON u.code = c.unit_code
                WHERE c.status = 'active' AND (u.path = $1::text OR starts_with(u.path, $1::text || '/'))
                """,
                path
            ).scalar(Int.self) ?? 0
            return (!exists, expected, path)
        }
        let counted = try await engine.bulkCreateCounting(
            workflow: Self.assessmentWorkflow,
            source: .query(Self.assessmentSource, [month.description, key, lastDay.description, path], expectedRows: expected),
            actor: actor, requestID: requestID, existingKeys: .skip
        )
        let created = counted.created
        if created >= Self.analyzeAfter {
            // A month of a city changes the instances table at once: fresh statistics let
            // the month's reports plan for the month's real size (a sequential, parallel
            // pass) instead of the one row an unanalysed expression index promises.
            // Best effort: a role that may not analyse the table leaves it to autovacuum.
            _ = try? await pool.withConnection { connection -> Void in _ = try connection.query("SELECT analyze_table('workflow_instances')") }
        }
        return CycleOpening(key: key, opened: opened, created: created, existing: counted.skipped, deadlines: deadlines, ruleSet: ruleSet.name)
    }

    /// The schedule's month opening: on day 1 of month M+1 it opens month M for every
    /// root unit (a unit without a parent that is not closed).
    public func openScheduledMonth(period: String) async throws -> String {
        guard let firing = AssessmentPeriod(period), firing.kind == .month else { throw DomainError.invalid("period", "\(period) is not a month") }
        let month = firing.previousMonth
        let roots = try await pool.read("SELECT code FROM units WHERE parent_code IS NULL AND valid_to IS NULL ORDER BY code", decode: { result in
            try result.rows.map { try $0.decode(0, as: String.self) }
        })
        let system = Requester(login: "scheduler", role: .admin, scope: .everything)
        var parts: [String] = []
        for root in roots {
            let opening = try await openCycle(month: month, unit: root, by: system, actor: .system)
            parts.append("\(opening.key) \(opening.created) created")
        }
        return parts.isEmpty ? "no root unit to open \(month) for" : parts.joined(separator: ", ")
    }

    /// Closes a month's cycle by hand before its day: its results freeze.
    public func closeCycle(
        month: AssessmentPeriod, unit named: String?, by requester: Requester, auditStatements: [PostgresStatement] = [], idempotencyKey: String? = nil
    ) async throws -> String {
        let unit = try Self.scopeUnit(named, by: requester)
        let key = Self.cycleKey(month, unit: unit)
        try await pool.withConnection { connection in _ = try Self.unitPath(unit, by: requester, on: connection) }
        let outcome = try await engine.transition(TransitionCommand(
            instance: .key(key), transition: "close", actor: Self.actor(requester, role: requester.role.rawValue),
            idempotencyKey: idempotencyKey, attachedWrites: auditStatements
        ))
        return "\(key) \(outcome.from) -> \(outcome.instance.state)"
    }

    /// The cycles of the requester's scope, newest month first.
    public func cycles(month: String?, by requester: Requester) async throws -> [CycleSummary] {
        try await pool.read(
            """
            SELECT c.key, c.data->>'month', c.data->>'unit', c.state, coalesce(c.data->>'rule_set', ''), coalesce(c.data->>'close_on', ''),
                   (SELECT count(*) FROM workflow_instances a WHERE a.workflow = 'assessment' AND a.data->>'cycle' = c.key),
                   (SELECT count(*) FROM workflow_instances a WHERE a.workflow = 'assessment' AND a.data->>'cycle' = c.key AND a.state = 'approved')
            FROM workflow_instances c JOIN units u ON u.code = c.data->>'unit'
            WHERE c.workflow = 'monthly_cycle' AND ($1::text IS NULL OR c.data->>'month' = $1::text)
              AND \(UnitScope.sqlCondition(path: "u.path", scope: "$2"))
            ORDER BY c.data->>'month' DESC, c.data->>'unit'
            """,
            [month, requester.scope.path],
            decode: { result in
                try result.rows.map { row in
                    CycleSummary(
                        key: try row.decode(0), month: try row.decode(1), unit: try row.decode(2), state: try row.decode(3), ruleSet: try row.decode(4),
                        closeOn: try row.decode(5), assessments: try row.decode(6), approved: try row.decode(7)
                    )
                }
            }
        )
    }
}
