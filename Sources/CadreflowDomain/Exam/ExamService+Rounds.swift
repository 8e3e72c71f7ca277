import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// One anonymous paper as the markers see it.
public struct ExamPaper: Sendable, Equatable {
    /// The paper code.
    public var code: String
    /// Its written mark, once imported.
    public var mark: String?
}

/// One line of the key (EXAM KEY): a paper code and its candidate.
public struct ExamKeyLine: Sendable, Equatable {
    /// The paper code.
    public var code: String
    /// The candidate.
    public var cadre: String
    /// The candidate's name.
    public var name: String
}

extension ExamService {
    /// EXAM START: the written round begins; every eligible candidate who sits (all but
    /// `absent`) gets a random paper code (``ExamHooks``).
    public func start(
        _ code: String, absent: String?, by requester: Requester, auditStatements: [PostgresStatement], idempotencyKey: String?
    ) async throws -> String {
        let exam = try await exam(code, by: requester)
        var fields: [String: String] = [:]
        if let absent {
            let cadres = try absent.split(separator: ",").map { text throws(DomainError) in try RecordCode.validate(String(text).trimmingSpaces, field: "absent") }
            fields["absent"] = cadres.joined(separator: ",")
        }
        let state = try await move(exam, "start", fields: fields, by: requester, auditStatements: auditStatements, idempotencyKey: idempotencyKey)
        let papers = try await pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM exam_papers WHERE exam = $1", exam.code).scalar(Int.self) ?? 0
        }
        return "\(exam.code) \(state): \(papers) paper code\(papers == 1 ? "" : "s") drawn (EXAM PAPERS \(exam.code) lists them for the markers)"
    }

    /// EXAM PAPERS: the exam's paper codes alone, in code order (which says nothing of
    /// the candidates), with each one's mark once imported.
    public func papers(_ code: String, by requester: Requester) async throws -> [ExamPaper] {
        try await pool.withConnection { connection in
            let exam = try exam(code, by: requester, on: connection)
            guard !["draft", "registration", "closed"].contains(exam.state) else {
                throw DomainError(.conflict, "exam \(exam.code) is \(exam.state): paper codes are drawn at START")
            }
            return try connection.query(
                "SELECT p.code, m.score::text FROM exam_papers p LEFT JOIN exam_written_marks m ON m.exam = p.exam AND m.paper = p.code WHERE p.exam = $1 ORDER BY p.code",
                exam.code
            ).rows.map { ExamPaper(code: try $0.decode(0), mark: try $0.decode(1, as: String?.self).map(Self.mark)) }
        }
    }

    /// EXAM KEY: the codes with their candidates while the papers are anonymous, for a
    /// documented emergency. The sight is recorded (who, when, why, how many papers: never
    /// the key); the reply is the only place the key goes.
    public func key(_ code: String, reason: String?, by requester: Requester, on connection: PostgresConnection) throws -> [ExamKeyLine] {
        guard let reason = reason?.trimmingSpaces, !reason.isEmpty else {
            throw DomainError.invalid("reason", "required: the emergency that needs the key (it is recorded)")
        }
        guard reason.count <= 1_000 else { throw DomainError.invalid("reason", "at most 1,000 characters") }
        let exam = try exam(code, by: requester, on: connection)
        guard exam.state == "written" else {
            if exam.state == "defense" || exam.state == "published" || exam.state == "appointed" || exam.state == "no_winner" {
                throw DomainError(.conflict, "exam \(exam.code) is \(exam.state): the names are revealed, EXAM SHOW gives them with the marks")
            }
            throw DomainError(.conflict, "exam \(exam.code) is \(exam.state): there are no paper codes to disclose")
        }
        let lines = try connection.query(
            "SELECT p.code, p.cadre_code, c.full_name FROM exam_papers p JOIN cadres c ON c.code = p.cadre_code WHERE p.exam = $1 ORDER BY p.code",
            exam.code
        ).rows.map { ExamKeyLine(code: try $0.decode(0), cadre: try $0.decode(1), name: try $0.decode(2)) }
        try connection.query(
            "INSERT INTO exam_key_disclosures (exam, login, reason, papers, at) VALUES ($1, $2, $3, $4, $5)", exam.code, requester.login, reason, lines.count,
            engine.on(connection).now
        )
        return lines
    }

    /// A numeric(5,2) as text (`75.50`) as a mark (`75.5`).
    static func mark(_ text: String) -> String {
        (try? Mark.parse(text).description) ?? text
    }
}
