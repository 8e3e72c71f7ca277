import CadreflowPostgres
import CadreflowRules

/// One line of REPORT EXAMS: a unit's posts with exams by progress, and how candidates fared.
public struct ExamProgressLine: Sendable, Equatable {
    /// The unit (the scope unit's own posts, or a child unit's subtree).
    public var unit: String
    /// Its name.
    public var name: String
    /// Exams not cancelled (one per post).
    public var posts = 0
    /// Appointed or ended with no winner.
    public var completed = 0
    /// Announced and not yet ended.
    public var inProgress = 0
    /// Still drafts.
    public var notYetHeld = 0
    /// Cancelled (not counted in `posts`).
    public var cancelled = 0
    /// Candidates who sat a written round.
    public var sat = 0
    /// Of those, who reached the written pass mark.
    public var passedWritten = 0
    /// Who passed both rounds.
    public var passed = 0

    /// A line from its counts (all zero by default).
    public init(
        unit: String, name: String, posts: Int = 0, completed: Int = 0, inProgress: Int = 0, notYetHeld: Int = 0, cancelled: Int = 0,
        sat: Int = 0, passedWritten: Int = 0, passed: Int = 0
    ) {
        self.unit = unit
        self.name = name
        self.posts = posts
        self.completed = completed
        self.inProgress = inProgress
        self.notYetHeld = notYetHeld
        self.cancelled = cancelled
        self.sat = sat
        self.passedWritten = passedWritten
        self.passed = passed
    }

    /// Adds another line's counts to this one.
    public mutating func add(_ other: ExamProgressLine) {
        posts += other.posts
        completed += other.completed
        inProgress += other.inProgress
        notYetHeld += other.notYetHeld
        cancelled += other.cancelled
        sat += other.sat
        passedWritten += other.passedWritten
        passed += other.passed
    }
}

extension ExamService {
    /// REPORT EXAMS: for a unit (default the requester's own), a line for the posts of the
    /// unit itself and one per child unit's subtree.
    public func report(unit named: String?, by requester: Requester) async throws -> (unit: String, lines: [ExamProgressLine]) {
        let unit = try AssessmentService.scopeUnit(named, by: requester)
        return try await pool.withConnection { connection in
            _ = try AssessmentService.unitPath(unit, by: requester, on: connection)
            let lines = try connection.query(
                """
                WITH root AS (SELECT code, path FROM units WHERE code = $1),
                groups AS (
                    SELECT r.code, u.name, r.path, 0 AS own FROM root r JOIN units u ON u.code = r.code
                    UNION ALL SELECT u.code, u.name, u.path, 1 FROM units u JOIN root r ON u.parent_code = r.code
                ),
                exams AS (
                    SELECT w.state, eu.path,
                           (SELECT count(*) FROM exam_papers p WHERE p.exam = substr(w.key, 6)) AS sat,
                           (SELECT count(*) FROM exam_written_results c WHERE c.exam = substr(w.key, 6) AND c.passed_written) AS passed_written,
                           (SELECT count(*) FROM exam_candidates c WHERE c.exam = substr(w.key, 6) AND c.passed) AS passed
                    FROM workflow_instances w JOIN units eu ON eu.code = w.data->>'unit' JOIN root r ON eu.path = r.path OR starts_with(eu.path, r.path || '/')
                    WHERE w.workflow = 'exam'
                )
                SELECT g.code, g.name,
                       count(e.state) FILTER (WHERE e.state <> 'cancelled'),
                       count(e.state) FILTER (WHERE e.state IN ('appointed', 'no_winner')),
                       count(e.state) FILTER (WHERE e.state IN ('registration', 'closed', 'written', 'defense', 'published')),
                       count(e.state) FILTER (WHERE e.state = 'draft'),
                       count(e.state) FILTER (WHERE e.state = 'cancelled'),
                       coalesce(sum(e.sat) FILTER (WHERE e.state <> 'cancelled'), 0)::bigint,
                       coalesce(sum(e.passed_written) FILTER (WHERE e.state <> 'cancelled'), 0)::bigint,
                       coalesce(sum(e.passed) FILTER (WHERE e.state <> 'cancelled'), 0)::bigint
                FROM groups g LEFT JOIN exams e ON (g.own = 0 AND e.path = g.path) OR (g.own = 1 AND (e.path = g.path OR starts_with(e.path, g.path || '/')))
                GROUP BY g.code, g.name, g.own ORDER BY g.own, g.code
                """,
                unit
            ).rows.map { row in
                ExamProgressLine(
                    unit: try row.decode(0), name: try row.decode(1), posts: try row.decode(2), completed: try row.decode(3), inProgress: try row.decode(4),
                    notYetHeld: try row.decode(5), cancelled: try row.decode(6), sat: try row.decode(7), passedWritten: try row.decode(8), passed: try row.decode(9)
                )
            }
            return (unit, lines)
        }
    }
}
