import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// Competitive examinations for leadership posts (mission.md section 2). An exam is an
/// `exam` workflow instance keyed `exam/<code>` whose data holds its ``ExamTerms`` and
/// registration deadline; its candidates, paper codes and marks live in the `exam_*`
/// tables (sql/migrations/009_exams.sql). The decisions are the pure ones of
/// `CadreflowRules` (``EligibilityCheck``, ``ExamRanking``, ``ExamResultRows``); the
/// moves are the engine's, with the work of each in ``ExamHooks`` inside its transaction.
public struct ExamService: Sendable {
    let pool: PostgresPool
    let engine: WorkflowEngine
    /// The configured defaults and checks.
    public let policy: ExamPolicy
    let calendar: DomainCalendar
    let retirement: RetirementSchedule

    /// A service on the pool and the engine.
    public init(pool: PostgresPool, engine: WorkflowEngine, policy: ExamPolicy, calendar: DomainCalendar, retirement: RetirementSchedule) {
        self.pool = pool
        self.engine = engine
        self.policy = policy
        self.calendar = calendar
        self.retirement = retirement
    }

    static let workflow = "exam"

    /// `exam/PGD-SNV-2026`.
    public static func key(_ code: String) -> String { "exam/\(code)" }

    /// An exam as read with its unit's path.
    struct Exam {
        var code: String
        var id: Int64
        var version: Int64
        var state: String
        var data: [String: String]
        var unitPath: String
        var terms: ExamTerms

        var deadline: CalendarDay? { data["registration_deadline"].flatMap { CalendarDay($0) } }
    }

    /// Reads an exam, checked against the requester's scope (its post's unit);
    /// `lock`: `FOR SHARE` (registrations) or `FOR UPDATE`, inside a transaction.
    func exam(_ code: String, by requester: Requester, on connection: PostgresConnection, lock: String = "") throws -> Exam {
        let code = try RecordCode.validate(code, field: "exam")
        let rows = try connection.query(
            """
            SELECT i.id, i.version, i.state, i.data::text, coalesce(u.path, '')
            FROM workflow_instances i LEFT JOIN units u ON u.code = i.data->>'unit'
            WHERE i.key = $1 AND i.workflow = 'exam' \(lock.isEmpty ? "" : "FOR \(lock) OF i")
            """,
            Self.key(code)
        ).rows
        guard let row = rows.first else { throw DomainError(.notFound, "exam \(code) does not exist", field: "exam") }
        let data = try JSONDecoder().decode([String: String].self, from: Data(try row.decode(3, as: String.self).utf8))
        let exam = Exam(
            code: code, id: try row.decode(0), version: try row.decode(1), state: try row.decode(2), data: data, unitPath: try row.decode(4),
            terms: ExamTerms(data: data, policy: policy)
        )
        try requester.requireCovers(unit: exam.terms.unit, path: exam.unitPath)
        return exam
    }

    /// ``exam(_:by:on:lock:)`` on a pooled connection.
    func exam(_ code: String, by requester: Requester) async throws -> Exam {
        try await pool.withConnection { connection in try exam(code, by: requester, on: connection) }
    }

    /// `conflict` unless the exam is in one of `states`, saying what it is in and what `doing` needs.
    static func require(_ exam: Exam, in states: Set<String>, to doing: String) throws(DomainError) {
        guard states.contains(exam.state) else {
            throw DomainError(.conflict, "exam \(exam.code) is \(exam.state): \(doing) needs it \(states.sorted().joined(separator: " or "))")
        }
    }

    /// The day of a stored moment, in the engine's time zone.
    func day(_ moment: Date, on connection: PostgresConnection) -> CalendarDay {
        CalendarDay(moment, timeZone: engine.on(connection).timeZone)
    }

    /// One engine move of an exam that must still be at the version read, with the
    /// command's audit row and idempotency key in its commit. Returns the new state.
    func move(
        _ exam: Exam, _ transition: String, fields: [String: String] = [:], reason: String? = nil, by requester: Requester,
        auditStatements: [PostgresStatement], idempotencyKey: String?
    ) async throws -> String {
        let outcome = try await engine.transition(TransitionCommand(
            instance: .id(exam.id), transition: transition, actor: Actor(name: requester.login, role: "organizer"), fields: fields,
            reason: reason, expectedVersion: exam.version, idempotencyKey: idempotencyKey, attachedWrites: auditStatements
        ))
        return outcome.instance.state
    }
}
