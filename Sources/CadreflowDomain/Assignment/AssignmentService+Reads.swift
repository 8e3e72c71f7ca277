import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// One assignment as ROTATION LIST gives it.
public struct AssignmentLine: Sendable, Equatable {
    public var id: String
    public var cadre: String
    public var name: String
    public var kind: String
    public var fromUnit: String
    public var toUnit: String
    public var start: String
    public var end: String
    public var state: String
    public var decision: String
}

/// One kind's line of REPORT ROTATIONS.
public struct RotationCounts: Sendable, Equatable {
    /// The kind (or `(total)`).
    public var kind: String
    /// Assignments by state.
    public var states: [String: Int]
    /// In effect (or extended, or evaluation due) and ending within the window.
    public var endingSoon: Int
    /// Evaluation due and past the end date without an evaluation.
    public var evaluationOverdue: Int

    /// Counts from their parts.
    public init(kind: String, states: [String: Int] = [:], endingSoon: Int = 0, evaluationOverdue: Int = 0) {
        self.kind = kind
        self.states = states
        self.endingSoon = endingSoon
        self.evaluationOverdue = evaluationOverdue
    }
}

extension AssignmentService {
    /// ROTATION SHOW: the assignment's data and its steps.
    public func show(_ id: String, by requester: Requester) async throws -> (state: String, data: [String: String], history: [HistoryEntry]) {
        let assignment = try await pool.withConnection { connection -> Assignment in try self.assignment(id, by: requester, on: connection, writing: false) }
        let history = try await engine.history(.key(Self.key(assignment.id)))
        return (assignment.state, assignment.data, history)
    }

    /// The scope condition of the assignments of a requester (either unit in scope) and
    /// the filters of ROTATION LIST and REPORT ROTATIONS, on `i` and `$1`.
    private static let scoped = """
        FROM workflow_instances i
        LEFT JOIN units f ON f.code = i.data->>'from_unit' LEFT JOIN units t ON t.code = i.data->>'to_unit'
        LEFT JOIN cadres c ON c.code = i.data->>'cadre'
        WHERE i.workflow = 'assignment'
          AND (\(UnitScope.sqlCondition(path: "coalesce(f.path, '')", scope: "$1")) OR \(UnitScope.sqlCondition(path: "coalesce(t.path, '')", scope: "$1")))
        """

    /// ROTATION LIST: assignments touching the requester's scope, by start date.
    public func list(state: String?, kind: String?, endingWithin days: Int?, by requester: Requester) async throws -> [AssignmentLine] {
        let kind = try kind.map { text throws(DomainError) in try Choice.parse(text.lowercased(), field: "kind") as AssignmentKind? }?.map(\.rawValue)
        let today = calendar.currentDay()
        return try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT substr(i.key, 12), i.data->>'cadre', coalesce(c.full_name, ''), i.data->>'kind', i.data->>'from_unit', i.data->>'to_unit',
                       i.data->>'start_date', coalesce(i.data->>'end_date', ''), i.state, coalesce(i.data->>'decision', '')
                \(Self.scoped)
                  AND ($2::text IS NULL OR i.state = $2) AND ($3::text IS NULL OR i.data->>'kind' = $3)
                  AND ($4::int IS NULL OR (i.state IN ('in_effect', 'extended', 'evaluation_due') AND (i.data->>'end_date')::date < $5::date + $4::int))
                ORDER BY i.data->>'start_date', i.id LIMIT 10000
                """,
                requester.scope.path, state, kind, days, today
            ).rows.map { row in
                AssignmentLine(
                    id: try row.decode(0), cadre: try row.decode(1), name: try row.decode(2), kind: try row.decode(3), fromUnit: try row.decode(4),
                    toUnit: try row.decode(5), start: try row.decode(6), end: try row.decode(7), state: try row.decode(8), decision: try row.decode(9)
                )
            }
        }
    }

    /// REPORT ROTATIONS: per kind, how many are in each state, how many end within `days`,
    /// how many evaluations are overdue (due and past the end date).
    public func report(endingWithin days: Int, by requester: Requester) async throws -> [RotationCounts] {
        let today = calendar.currentDay()
        return try await pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT i.data->>'kind', i.state, count(*),
                       count(*) FILTER (WHERE i.state IN ('in_effect', 'extended', 'evaluation_due') AND (i.data->>'end_date')::date < $2::date + $3::int),
                       count(*) FILTER (WHERE i.state = 'evaluation_due' AND (i.data->>'end_date')::date < $2::date)
                \(Self.scoped)
                GROUP BY 1, 2
                """,
                requester.scope.path, today, days
            ).rows
            var byKind: [String: RotationCounts] = [:]
            for row in rows {
                let kind: String = try row.decode(0)
                var counts = byKind[kind] ?? RotationCounts(kind: kind)
                counts.states[try row.decode(1), default: 0] += try row.decode(2, as: Int.self)
                counts.endingSoon += try row.decode(3, as: Int.self)
                counts.evaluationOverdue += try row.decode(4, as: Int.self)
                byKind[kind] = counts
            }
            return AssignmentKind.allCases.map { byKind[$0.rawValue] ?? RotationCounts(kind: $0.rawValue) }
        }
    }
}
