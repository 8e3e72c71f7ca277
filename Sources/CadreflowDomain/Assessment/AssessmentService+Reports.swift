import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// A month's assessments of a subtree by state (`CYCLE STATUS`).
public struct CycleStatus: Sendable {
    public var unit: String
    public var cycleState: String
    public var deadlines: DeadlineSchedule
    public var states: [(state: String, count: Int)]
    public var total: Int { states.reduce(0) { $0 + $1.count } }
}

/// One assessment as `ASSESS LIST` shows it.
public struct AssessmentListing: Sendable, Equatable {
    public var cadre: String
    public var name: String
    public var unit: String
    public var level: String
    public var state: String
    public var selfTotal: String
    public var reviewTotal: String
    public var grade: String
    public var noSelfAssessment: Bool
}

/// One unit's progress in a month (`REPORT PROGRESS`): counts by state and how many are
/// late at each escalation level.
public struct UnitProgress: Sendable, Equatable {
    public var unit: String
    public var name: String
    public var counts: [String: Int]
    public var escalations: [EscalationLevel: Int]
    public var total: Int { counts.values.reduce(0, +) }
}

/// One cadre late at a step (`REPORT PROGRESS … list=late`).
public struct LateStep: Sendable, Equatable {
    public var cadre: String
    public var name: String
    public var unit: String
    public var state: String
    public var step: AssessmentStep
    public var deadline: CalendarDay
    public var level: EscalationLevel
}

extension AssessmentService {
    /// Units in a report's scope past which its counts are made by ``progressByCounting``.
    static let wideReport = 200

    /// The units of a subtree (every unit when `path` is nil).
    static func unitCount(_ path: String?, pool: PostgresPool) async throws -> Int {
        try await pool.read(
            "SELECT count(*) FROM units u WHERE $1::text IS NULL OR u.path = $1::text OR starts_with(u.path, $1::text || '/')", [path],
            decode: { try $0.scalar(Int.self) ?? 0 }
        )
    }

    /// A month's assessments by assessing unit and state (`$1` the month, `$2` the scope
    /// path): counted first, the units joined to the counts.
    static let progressByCounting = """
        SELECT a.unit, u.name, a.state, a.n
        FROM (
            SELECT i.data->>'unit' AS unit, i.state, count(*) AS n FROM workflow_instances i
            WHERE i.workflow = 'assessment' AND i.data->>'month' = $1
            GROUP BY 1, 2
        ) a
        JOIN units u ON u.code = a.unit
        WHERE $2::text IS NULL OR \(subtree)
        ORDER BY 1, 3
        """

    /// The same counts, the scope's units joined to the rows first.
    static let progressByJoining = """
        SELECT i.data->>'unit', min(u.name), i.state, count(*)
        FROM workflow_instances i JOIN units u ON u.code = i.data->>'unit'
        WHERE i.workflow = 'assessment' AND i.data->>'month' = $1 AND ($2::text IS NULL OR \(subtree))
        GROUP BY 1, 3 ORDER BY 1, 3
        """

    /// The subtree condition on the assessing unit's path (`u.path`) for a scope path in `$2`.
    static let subtree = "(u.path = $2::text OR starts_with(u.path, $2::text || '/'))"

    /// The unit a report is about and its path (the requester's own unit by default; an
    /// admin's "everything" when none is named).
    func reportScope(_ named: String?, by requester: Requester) async throws -> (String, String?) {
        if named == nil && requester.unit == nil { return ("(all)", nil) }
        let unit = try Self.scopeUnit(named, by: requester)
        let path = try await pool.withConnection { connection in try Self.unitPath(unit, by: requester, on: connection) }
        return (unit, path)
    }

    /// `CYCLE STATUS`: the month's assessments of a subtree by state, and the cycle's state.
    public func status(month: AssessmentPeriod, unit named: String?, by requester: Requester) async throws -> CycleStatus {
        let (_, deadlines) = try schedule(month)
        let (unit, path) = try await reportScope(named, by: requester)
        let (states, cycle) = try await pool.withConnection { connection in
            let states = try connection.query(
                """
                SELECT i.state, count(*) FROM workflow_instances i JOIN units u ON u.code = i.data->>'unit'
                WHERE i.workflow = 'assessment' AND i.data->>'month' = $1 AND ($2::text IS NULL OR \(Self.subtree))
                GROUP BY i.state ORDER BY i.state
                """,
                month.description, path
            ).rows.map { (state: try $0.decode(0, as: String.self), count: try $0.decode(1, as: Int.self)) }
            let cycle = try connection.query(
                """
                SELECT string_agg(DISTINCT c.state, '/') FROM workflow_instances c JOIN units u ON u.code = c.data->>'unit'
                WHERE c.workflow = 'monthly_cycle' AND c.data->>'month' = $1 AND ($2::text IS NULL OR \(Self.subtree) OR starts_with($2::text, u.path || '/'))
                """,
                month.description, path
            ).scalar(String?.self) ?? nil
            return (states, cycle)
        }
        return CycleStatus(unit: unit, cycleState: cycle ?? "not opened", deadlines: deadlines, states: states)
    }

    /// `ASSESS LIST`: a month's assessments of a subtree, by unit and cadre.
    public func list(month: AssessmentPeriod, unit named: String?, state: String?, by requester: Requester) async throws -> [AssessmentListing] {
        let (_, path) = try await reportScope(named, by: requester)
        return try await pool.read(
            """
            SELECT i.data->>'cadre', coalesce(c.full_name, ''), i.data->>'unit', coalesce(i.data->>'level', ''), i.state,
                   coalesce(i.data->>'self_total', ''), coalesce(i.data->>'review_total', ''), coalesce(i.data->>'grade', ''),
                   coalesce(i.data->>'no_self_assessment', 'no') = 'yes'
            FROM workflow_instances i JOIN units u ON u.code = i.data->>'unit' LEFT JOIN cadres c ON c.code = i.data->>'cadre'
            WHERE i.workflow = 'assessment' AND i.data->>'month' = $1 AND ($2::text IS NULL OR \(Self.subtree))
              AND ($3::text IS NULL OR i.state = $3::text)
            ORDER BY i.data->>'unit', i.data->>'cadre'
            """,
            [month.description, path, state],
            decode: { result in
                try result.rows.map { row in
                    AssessmentListing(
                        cadre: try row.decode(0), name: try row.decode(1), unit: try row.decode(2), level: try row.decode(3), state: try row.decode(4),
                        selfTotal: try row.decode(5), reviewTotal: try row.decode(6), grade: try row.decode(7), noSelfAssessment: try row.decode(8)
                    )
                }
            }
        )
    }

    /// The step an assessment in `state` waits for, if any.
    static func pendingStep(_ state: String) -> AssessmentStep? {
        switch state {
        case "pending", "returned": return .selfAssessment
        case "self_assessed", "overdue": return .review
        case "reviewed": return .approval
        default: return nil
        }
    }

    /// `REPORT PROGRESS`: per assessing unit of the subtree, the counts by state and how
    /// many wait past (or near) their step's deadline at each escalation level, judged on
    /// `today` against the month's deadlines. Every assessment in a state waits for the
    /// same step, so the levels follow from the counts, which the database sums; only with
    /// `late` are the cadres themselves read.
    public func progress(month: AssessmentPeriod, unit named: String?, late wanted: Bool, by requester: Requester) async throws -> (units: [UnitProgress], late: [LateStep]) {
        let (_, deadlines) = try schedule(month)
        let (_, path) = try await reportScope(named, by: requester)
        let today = calendar.currentDay()
        let counts = try await pool.read(
            // Over many units (a city), count each unit's rows first and then look the units
            // up: one parallel scan of the month, no join per row (a synthetic million rows
            // in 1,000 units: 0.19 s against the join's 0.28 s). Over a few units, join
            // first: their rows come by index (one unit: 2 ms).
            try await Self.unitCount(path, pool: pool) > Self.wideReport ? Self.progressByCounting : Self.progressByJoining,
            [month.description, path],
            decode: { result in
                try result.rows.map { row in
                    (unit: try row.decode(0, as: String.self), name: try row.decode(1, as: String.self), state: try row.decode(2, as: String.self),
                     count: try row.decode(3, as: Int.self))
                }
            }
        )
        var units: [UnitProgress] = []
        for row in counts {
            if units.last?.unit != row.unit {
                units.append(UnitProgress(unit: row.unit, name: row.name, counts: [:], escalations: [:]))
            }
            units[units.count - 1].counts[row.state, default: 0] += row.count
            guard let step = Self.pendingStep(row.state) else { continue }
            let level = deadlines.escalation(of: step, on: today)
            guard level != .notDue else { continue }
            units[units.count - 1].escalations[level, default: 0] += row.count
        }
        let waiting = ["pending", "returned", "self_assessed", "overdue", "reviewed"].filter { state in
            Self.pendingStep(state).map { deadlines.escalation(of: $0, on: today) != .notDue } ?? false
        }
        guard wanted, !waiting.isEmpty else { return (units, []) }
        let late = try await pool.read(
            """
            SELECT i.data->>'cadre', coalesce(c.full_name, ''), i.data->>'unit', i.state
            FROM workflow_instances i JOIN units u ON u.code = i.data->>'unit' LEFT JOIN cadres c ON c.code = i.data->>'cadre'
            WHERE i.workflow = 'assessment' AND i.data->>'month' = $1 AND ($2::text IS NULL OR \(Self.subtree)) AND i.state = ANY($3::text[])
            ORDER BY i.data->>'unit', i.data->>'cadre'
            """,
            [month.description, path, waiting],
            decode: { result in
                try result.rows.compactMap { row -> LateStep? in
                    let state = try row.decode(3, as: String.self)
                    guard let step = Self.pendingStep(state) else { return nil }
                    return LateStep(
                        cadre: try row.decode(0), name: try row.decode(1), unit: try row.decode(2), state: state, step: step,
                        deadline: deadlines.deadline(step), level: deadlines.escalation(of: step, on: today)
                    )
                }
            }
        )
        return (units, late)
    }
}

/// One unit's grades for a period (`REPORT GRADES`): its cadres (counted in the unit of
/// the period's last month they were assessed in) and their grades.
public struct UnitGrades: Sendable, Equatable {
    public var unit: String
    public var name: String
    public var distribution: GradeDistribution
}

/// One cadre's result for a quarter or a year (`REPORT YEAR`).
public struct CadreResult: Sendable, Equatable {
    public var cadre: String
    public var name: String
    public var unit: String
    public var level: String
    public var result: PeriodResult
}

extension AssessmentService {
    /// Every cadre's result for a period (a month, a quarter or a year) in a subtree: the
    /// mean of the approved monthly scores of the months worked, exempt months left out,
    /// discipline in the period's year → the disciplined grade (``PeriodResult``), under
    /// the rule set in force for the period. A cadre who moved keeps every month, wherever
    /// it was assessed; the result belongs to the unit of their last month in the period.
    public func results(period: AssessmentPeriod, unit named: String?, by requester: Requester) async throws -> [CadreResult] {
        let (_, path) = try await reportScope(named, by: requester)
        let rules = self.rules
        return try await pool.withConnection { connection in try Self.results(period: period, path: path, exactUnit: nil, rules: rules, on: connection) }
    }

    /// ``results(period:unit:by:)`` on a connection; `exactUnit` keeps only the results that
    /// belong to that unit itself (not its subtree).
    static func results(period: AssessmentPeriod, path: String?, exactUnit: String?, rules: RuleSetCatalog, on connection: PostgresConnection) throws -> [CadreResult] {
        let ruleSet = try rules.ruleSet(for: period.lastMonth)
        let months = period.months.map(\.description)
        let rows = try connection.query(
            """
            WITH months AS (
                SELECT i.data->>'cadre' AS cadre, i.data->>'month' AS month, i.state, coalesce(i.data->>'total', '') AS total,
                       last_value(i.data->>'unit') OVER whole AS owner,
                       last_value(coalesce(i.data->>'level', 'staff')) OVER whole AS level
                FROM workflow_instances i
                WHERE i.workflow = 'assessment' AND i.data->>'month' = ANY($1::text[])
                WINDOW whole AS (PARTITION BY i.data->>'cadre' ORDER BY i.data->>'month' ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
            )
            SELECT m.cadre, coalesce(c.full_name, ''), m.owner, m.level, m.month, m.state, m.total,
                   EXISTS (SELECT 1 FROM cadre_discipline d WHERE d.cadre_code = m.cadre AND d.year = $3)
            FROM months m JOIN units u ON u.code = m.owner LEFT JOIN cadres c ON c.code = m.cadre
            WHERE ($2::text IS NULL OR \(Self.subtree)) AND ($4::text IS NULL OR m.owner = $4::text)
            ORDER BY m.cadre, m.month
            """,
            months, path, period.year, exactUnit
        )
        var results: [CadreResult] = []
        var scores: [MonthScore] = []
        for index in 0..<rows.rowCount {
            let row = rows[index]
            let cadre = try row.decode(0, as: String.self)
            if let month = AssessmentPeriod(try row.decode(4, as: String.self)) {
                let state = try row.decode(5, as: String.self)
                if state == "exempt" {
                    scores.append(MonthScore(month: month, standing: .exempt))
                } else if state == "approved", let points = try? Points.parse(try row.decode(6, as: String.self), field: "total") {
                    scores.append(MonthScore(month: month, standing: .approved(points)))
                }
            }
            let next = index + 1 < rows.rowCount ? try rows[index + 1].decode(0, as: String.self) : nil
            guard next != cadre else { continue }
            let disciplined = try row.decode(7, as: Bool.self) && period.kind != .month
            let result = try PeriodResult.compute(for: period, months: scores, disciplined: disciplined, ruleSet: ruleSet)
            results.append(CadreResult(cadre: cadre, name: try row.decode(1), unit: try row.decode(2), level: try row.decode(3), result: result))
            scores = []
        }
        return results
    }

    /// `REPORT GRADES`: per unit of the subtree, the cadres, how many hold a result, and
    /// the grades of the period. Cadres exempt for the whole period are left out of the
    /// total (and so of every share).
    ///
    /// With `rollup` (`rollup=successor`), a result of a unit that has since ended (merged,
    /// split, closed) counts under the open unit it went into by lineage (today's unit),
    /// and the subtree is today's: a new ward's report holds its predecessors' months.
    public func grades(period: AssessmentPeriod, unit named: String?, rollup: Bool = false, by requester: Requester) async throws -> [UnitGrades] {
        if period.kind == .month { return try await monthGrades(period, unit: named, rollup: rollup, by: requester) }
        var results: [CadreResult]
        if rollup {
            let (_, path) = try await reportScope(named, by: requester)
            let rules = self.rules
            let (all, successors, paths) = try await pool.withConnection { connection in
                (try Self.results(period: period, path: nil, exactUnit: nil, rules: rules, on: connection),
                 try Self.successors(on: connection),
                 Dictionary(try connection.query("SELECT code, path FROM units").rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) },
                            uniquingKeysWith: { first, _ in first }))
            }
            results = all.map { entry in
                var entry = entry
                entry.unit = successors[entry.unit] ?? entry.unit
                return entry
            }
            let scope = UnitScope(path: path)
            results = results.filter { scope.covers(paths[$0.unit] ?? "") }
        } else {
            results = try await self.results(period: period, unit: named, by: requester)
        }
        let names = try await pool.read(
            "SELECT code, name FROM units WHERE code = ANY($1::text[])", [Array(Set(results.map(\.unit)))],
            decode: { result in
                Dictionary(try result.rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) }, uniquingKeysWith: { first, _ in first })
            }
        )
        var byUnit: [String: UnitGrades] = [:]
        // A cadre exempt for the whole period is not one of the cadres to assess.
        for entry in results where !(entry.result.monthsCounted == 0 && entry.result.monthsExempt > 0) {
            var unit = byUnit[entry.unit] ?? UnitGrades(unit: entry.unit, name: names[entry.unit] ?? "", distribution: GradeDistribution(total: 0, counts: [:]))
            unit.distribution = unit.distribution + GradeDistribution(total: 1, counts: entry.result.grade.map { [$0: 1] } ?? [:])
            byUnit[entry.unit] = unit
        }
        return byUnit.values.sorted { $0.unit < $1.unit }
    }

    /// ``grades(period:unit:rollup:by:)`` of one month, summed in the database: a month's
    /// result is its approved assessment's grade (the rule set computed it at review), so
    /// the counts per assessing unit are one pass over the month's assessments.
    private func monthGrades(_ month: AssessmentPeriod, unit named: String?, rollup: Bool, by requester: Requester) async throws -> [UnitGrades] {
        let (_, path) = try await reportScope(named, by: requester)
        let rows = try await pool.read(
            """
            SELECT i.data->>'unit', min(u.name), min(u.path),
                   count(*) FILTER (WHERE i.state <> 'exempt'),
                   count(*) FILTER (WHERE i.state = 'approved' AND i.data->>'grade' = 'A'),
                   count(*) FILTER (WHERE i.state = 'approved' AND i.data->>'grade' = 'B'),
                   count(*) FILTER (WHERE i.state = 'approved' AND i.data->>'grade' = 'C'),
                   count(*) FILTER (WHERE i.state = 'approved' AND i.data->>'grade' = 'D')
            FROM workflow_instances i JOIN units u ON u.code = i.data->>'unit'
            WHERE i.workflow = 'assessment' AND i.data->>'month' = $1 AND ($2::text IS NULL OR \(Self.subtree))
            GROUP BY 1
            """,
            [month.description, rollup ? nil : path],
            decode: { result in
                try result.rows.map { row in
                    (unit: try row.decode(0, as: String.self), name: try row.decode(1, as: String.self), path: try row.decode(2, as: String.self),
                     line: GradeDistribution(total: try row.decode(3), counts: [
                        .A: try row.decode(4), .B: try row.decode(5), .C: try row.decode(6), .D: try row.decode(7),
                     ].filter { $0.value > 0 }))
                }
            }
        )
        var byUnit: [String: UnitGrades] = [:]
        if rollup {
            let (successors, units) = try await pool.withConnection { connection in
                (try Self.successors(on: connection),
                 Dictionary(try connection.query("SELECT code, name, path FROM units").rows.map {
                     (try $0.decode(0, as: String.self), (name: try $0.decode(1, as: String.self), path: try $0.decode(2, as: String.self)))
                 }, uniquingKeysWith: { first, _ in first }))
            }
            let scope = UnitScope(path: path)
            for row in rows {
                let today = successors[row.unit] ?? row.unit
                guard let unit = units[today], scope.covers(unit.path) else { continue }
                let sum = (byUnit[today]?.distribution ?? GradeDistribution(total: 0, counts: [:])) + row.line
                byUnit[today] = UnitGrades(unit: today, name: unit.name, distribution: sum)
            }
        } else {
            for row in rows { byUnit[row.unit] = UnitGrades(unit: row.unit, name: row.name, distribution: row.line) }
        }
        return byUnit.values.filter { $0.distribution.total > 0 }.sorted { $0.unit < $1.unit }
    }

    /// Every unit that has ended, with the open unit it went into by lineage (following
    /// merges, splits and closes; of several successors the nearest, then the first code).
    static func successors(on connection: PostgresConnection) throws -> [String: String] {
        let rows = try connection.query(
            """
            WITH RECURSIVE chain(start, current, depth) AS (
                SELECT code, code, 0 FROM units WHERE valid_to IS NOT NULL
                UNION ALL
                SELECT c.start, l.successor, c.depth + 1 FROM chain c JOIN unit_lineage l ON l.predecessor = c.current WHERE c.depth < 32
            )
            SELECT DISTINCT ON (c.start) c.start, c.current
            FROM chain c JOIN units u ON u.code = c.current AND u.valid_to IS NULL
            WHERE c.depth > 0
            ORDER BY c.start, c.depth, c.current
            """
        ).rows
        return Dictionary(try rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) }, uniquingKeysWith: { first, _ in first })
    }
}

