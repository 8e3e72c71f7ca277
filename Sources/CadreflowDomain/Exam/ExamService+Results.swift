import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// An exam as EXAM SHOW and EXAM LIST give it.
public struct ExamSummary: Sendable, Equatable {
    /// The exam code.
    public var code: String
    /// The workflow state.
    public var state: String
    /// The terms.
    public var terms: ExamTerms
    /// The registration deadline, once announced.
    public var deadline: String?
    /// Candidates registered.
    public var candidates: Int
    /// Candidates ruled eligible.
    public var eligible: Int
    /// The appointed cadre, once appointed.
    public var appointed: String?
}

/// One candidate's line of EXAM SHOW. Never a paper code.
public struct ExamCandidateRow: Sendable, Equatable {
    public var cadre: String
    public var name: String
    public var checks: String
    /// `yes`, `no`, or empty before the ruling; `yes (override)` over failed checks.
    public var eligible: String
    public var sitting: String
    /// Revealed only once every paper of the exam has its mark.
    public var written: String
    public var defense: String
    public var total: String
    public var rank: String
    public var passed: String
}

extension ExamService {
    /// EXAM PUBLISH: the ranking is computed and frozen (``ExamHooks``).
    public func publish(_ code: String, by requester: Requester, auditStatements: [PostgresStatement], idempotencyKey: String?) async throws -> String {
        let exam = try await exam(code, by: requester)
        let state = try await move(exam, "publish", by: requester, auditStatements: auditStatements, idempotencyKey: idempotencyKey)
        let winner = try await pool.withConnection { connection in try ExamHooks.winner(exam.code, on: connection) }
        switch winner {
        case .one(let cadre): return "\(exam.code) \(state): \(cadre) ranks first (EXAM APPOINT \(exam.code) decision=… appoints)"
        case .tied(let tied): return "\(exam.code) \(state): \(tied.joined(separator: ", ")) share the first rank; EXAM APPOINT \(exam.code) cadre=… decision=… names the one appointed"
        case .nobody: return "\(exam.code) \(state): nobody passed both rounds (EXAM APPOINT \(exam.code) records that there is no winner)"
        }
    }

    /// EXAM APPOINT: the winner (or the named one of those tied first) holds the post from
    /// `date` (default today) by `decision`; with nobody passed, the exam ends with no winner.
    public func appoint(
        _ code: String, cadre: String?, decision: String?, date: String?, by requester: Requester,
        auditStatements: [PostgresStatement], idempotencyKey: String?
    ) async throws -> String {
        let exam = try await exam(code, by: requester)
        try Self.require(exam, in: ["published"], to: "appointing")
        let winner = try await pool.withConnection { connection in try ExamHooks.winner(exam.code, on: connection) }
        if case .nobody = winner {
            let state = try await move(
                exam, "declare_no_winner", reason: decision.map { "no winner: \($0)" } ?? "nobody passed both rounds", by: requester,
                auditStatements: auditStatements, idempotencyKey: idempotencyKey
            )
            return "\(exam.code) \(state): nobody passed both rounds; the post stays open"
        }
        let appointee = try ExamRanking.appointee(cadre.map { try RecordCode.validate($0, field: "cadre") }, winner: winner)
        guard let decision = decision?.trimmingSpaces, !decision.isEmpty else {
            throw DomainError.invalid("decision", "required: the appointment decision (e.g. \"QĐ 123/QĐ-UBND\")")
        }
        let today = calendar.currentDay()
        let day = try CalendarDay.parse(date, field: "date") ?? today
        guard day <= today else { throw DomainError.invalid("date", "\(day) is in the future") }
        let since = try await pool.withConnection { connection in
            try connection.query("SELECT max(valid_from)::text FROM cadre_work_history WHERE cadre_code = $1 AND valid_to IS NULL", appointee).scalar(String.self)
        }
        if let since = since.flatMap({ CalendarDay($0) }), day < since {
            throw DomainError.invalid("date", "\(day) is before \(appointee)'s current post began (\(since)): the work history would overlap")
        }
        let state = try await move(
            exam, "appoint", fields: ["cadre": appointee, "decision": decision, "date": day.description], by: requester,
            auditStatements: auditStatements, idempotencyKey: idempotencyKey
        )
        return "\(exam.code) \(state): \(appointee) holds \"\(exam.terms.post)\" in \(exam.terms.unit) from \(day) (\(decision))"
    }

    /// EXAM SHOW: the exam and a row per candidate. Before the reveal the written column is
    /// empty for everyone; codes are never shown here.
    public func show(_ code: String, by requester: Requester) async throws -> (ExamSummary, [ExamCandidateRow]) {
        try await pool.withConnection { connection in
            let exam = try exam(code, by: requester, on: connection)
            let rows = try connection.query(
                """
                SELECT c.cadre_code, coalesce(d.full_name, ''), c.checks, c.eligible, c.overridden,
                       EXISTS (SELECT 1 FROM exam_papers p WHERE p.exam = c.exam AND p.cadre_code = c.cadre_code), c.absent,
                       r.written::text, c.defense::text, c.total::text, c.rank, c.passed, r.passed_written
                FROM exam_candidates c LEFT JOIN cadres d ON d.code = c.cadre_code
                LEFT JOIN exam_written_results r ON r.exam = c.exam AND r.cadre_code = c.cadre_code
                WHERE c.exam = $1 ORDER BY c.rank NULLS LAST, c.total DESC NULLS LAST, r.written DESC NULLS LAST, c.cadre_code
                """,
                exam.code
            ).rows.map { row in
                let eligible = try row.decode(3, as: Bool?.self)
                let sat = try row.decode(5, as: Bool.self)
                let absent = try row.decode(6, as: Bool.self)
                let passed = try row.decode(11, as: Bool?.self)
                let passedWritten = try row.decode(12, as: Bool?.self)
                let overridden = try row.decode(4, as: Bool.self)
                return ExamCandidateRow(
                    cadre: try row.decode(0), name: try row.decode(1), checks: try row.decode(2),
                    eligible: eligible.map { $0 ? (overridden ? "yes (override)" : "yes") : "no" } ?? "",
                    sitting: sat ? "yes" : (absent ? "absent" : ""),
                    written: try row.decode(7, as: String?.self).map(Self.mark) ?? "",
                    defense: try row.decode(8, as: String?.self).map(Self.mark) ?? "",
                    total: try row.decode(9, as: String?.self).map(Self.mark) ?? "",
                    rank: try row.decode(10, as: Int?.self).map(String.init) ?? "",
                    passed: passed.map { $0 ? "yes" : "no" } ?? (passedWritten == false ? "no" : "")
                )
            }
            return (try summary(exam, on: connection), rows)
        }
    }

    func summary(_ exam: Exam, on connection: PostgresConnection) throws -> ExamSummary {
        let counts = try connection.query(
            "SELECT count(*), count(*) FILTER (WHERE eligible) FROM exam_candidates WHERE exam = $1", exam.code
        ).rows.first
        return ExamSummary(
            code: exam.code, state: exam.state, terms: exam.terms, deadline: exam.data["registration_deadline"],
            candidates: try counts?.decode(0) ?? 0, eligible: try counts?.decode(1) ?? 0,
            appointed: exam.state == "appointed" ? exam.data["cadre"] : nil
        )
    }

    /// EXAM LIST: the exams of the posts in a unit's subtree (default the requester's
    /// scope), optionally in one state, by code.
    public func list(unit: String?, state: String?, by requester: Requester) async throws -> [ExamSummary] {
        try await pool.withConnection { connection in
            var scope = requester.scope.path
            if let unit {
                let unit = try RecordCode.validate(unit, field: "unit")
                guard let path = try connection.query("SELECT path FROM units WHERE code = $1", unit).scalar(String.self) else {
                    throw DomainError(.notFound, "unit \(unit) does not exist", field: "unit")
                }
                try requester.requireCovers(unit: unit, path: path)
                scope = path
            }
            return try connection.query(
                """
                SELECT substr(w.key, 6), w.state, w.data::text, coalesce(u.path, ''),
                       (SELECT count(*) FROM exam_candidates c WHERE c.exam = substr(w.key, 6)),
                       (SELECT count(*) FROM exam_candidates c WHERE c.exam = substr(w.key, 6) AND c.eligible)
                FROM workflow_instances w LEFT JOIN units u ON u.code = w.data->>'unit'
                WHERE w.workflow = 'exam' AND \(UnitScope.sqlCondition(path: "coalesce(u.path, '')", scope: "$1"))
                  AND ($2::text IS NULL OR w.state = $2)
                ORDER BY w.key LIMIT 10000
                """,
                scope, state
            ).rows.map { row in
                let data = try JSONDecoder().decode([String: String].self, from: Data(try row.decode(2, as: String.self).utf8))
                let state: String = try row.decode(1)
                return ExamSummary(
                    code: try row.decode(0), state: state, terms: ExamTerms(data: data, policy: policy), deadline: data["registration_deadline"],
                    candidates: try row.decode(4), eligible: try row.decode(5), appointed: state == "appointed" ? data["cadre"] : nil
                )
            }
        }
    }
}
