import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// The checks of a defense import (on its `import_exam_rows` table), and the reveal of
/// exams whose written marks are complete.
extension ExamService {
    /// Defense rows: the candidate sat and passed the written round; a stored score is
    /// not changed; new scores only during the defense round; and, over what is stored and
    /// what the file adds, every candidate owed a defense is scored by the same council.
    func defenseProblems(on connection: PostgresConnection) throws -> [DomainError] {
        var problems = try connection.query(
            """
            SELECT i.line, i.exam, i.cadre, w.state, c.cadre_code IS NOT NULL, r.written::text, r.passed_written, w.data->>'pass_mark', d.score::text
            FROM import_exam_rows i
            JOIN workflow_instances w ON w.key = i.key AND w.workflow = 'exam'
            LEFT JOIN exam_candidates c ON c.exam = i.exam AND c.cadre_code = i.cadre
            LEFT JOIN exam_written_results r ON r.exam = i.exam AND r.cadre_code = i.cadre
            LEFT JOIN exam_defense_scores d ON d.exam = i.exam AND d.cadre_code = i.cadre AND d.member = i.member
            WHERE c.cadre_code IS NULL OR r.written IS NULL OR NOT r.passed_written OR d.score <> i.score
               OR (d.score IS NULL AND w.state <> 'defense')
            ORDER BY i.line LIMIT \(Self.problemLimit)
            """
        ).rows.map { row in
            let line: Int = try row.decode(0)
            let exam: String = try row.decode(1)
            let cadre: String = try row.decode(2)
            let state: String = try row.decode(3)
            if try !row.decode(4, as: Bool.self) { return DomainError(.notFound, "candidate: \(cadre) is not a candidate of exam \(exam)", line: line) }
            if let stored = try row.decode(8, as: String?.self) {
                return DomainError(.conflict, "score: \(cadre) has the score \(Self.mark(stored)) from this member already; scores never change", line: line)
            }
            if state != "defense" {
                return DomainError(.conflict, "exam \(exam) is \(state): defense scores are imported during its defense round", line: line)
            }
            guard let written = try row.decode(5, as: String?.self) else {
                return DomainError(.conflict, "candidate: \(cadre) did not sit the written round of exam \(exam)", line: line)
            }
            let pass = try row.decode(7, as: String?.self) ?? "50"
            return DomainError(.conflict, "candidate: \(cadre) has \(Self.mark(written)) in the written round, below the pass mark \(pass): no defense round", line: line)
        }
        guard problems.isEmpty else { return problems }
        // The council: per exam of the file, each owed candidate's members over stored and new scores.
        let councils = try connection.query(
            """
            WITH exams AS (SELECT DISTINCT exam FROM import_exam_rows),
            scores AS (
                SELECT d.exam, d.cadre_code, d.member FROM exam_defense_scores d JOIN exams USING (exam)
                UNION SELECT exam, cadre, member FROM import_exam_rows
            )
            SELECT c.exam, c.cadre_code, coalesce(string_agg(s.member, ', ' ORDER BY s.member), ''),
                   (SELECT min(line) FROM import_exam_rows i WHERE i.exam = c.exam AND i.cadre = c.cadre_code),
                   (SELECT min(line) FROM import_exam_rows i WHERE i.exam = c.exam)
            FROM exam_written_results c JOIN exams USING (exam)
            LEFT JOIN scores s ON s.exam = c.exam AND s.cadre_code = c.cadre_code
            WHERE c.passed_written
            GROUP BY c.exam, c.cadre_code ORDER BY c.exam, c.cadre_code
            """
        ).rows
        struct Scored { var cadre: String; var members: String; var line: Int }
        var byExam: [String: [Scored]] = [:]
        for row in councils {
            let line = try row.decode(3, as: Int?.self) ?? row.decode(4, as: Int.self)
            byExam[try row.decode(0), default: []].append(Scored(cadre: try row.decode(1), members: try row.decode(2), line: line))
        }
        for (exam, scored) in byExam.sorted(by: { $0.key < $1.key }) {
            let counts = Dictionary(grouping: scored.filter { !$0.members.isEmpty }, by: \.members).mapValues(\.count)
            guard let council = counts.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key else { continue }
            for candidate in scored where candidate.members != council {
                if candidate.members.isEmpty {
                    problems.append(DomainError(
                        .invalid, "exam \(exam): \(candidate.cadre) passed the written round and has no defense scores (the council is \(council))",
                        line: candidate.line
                    ))
                } else {
                    problems.append(DomainError(
                        .invalid, "member: exam \(exam): \(candidate.cadre) is scored by \(candidate.members), the others by \(council) (one council scores every candidate)",
                        line: candidate.line
                    ))
                }
            }
        }
        return problems
    }

    /// Reveals exams whose papers all have their written marks: each is recorded revealed
    /// (``exam_written_results`` then joins its marks to its candidates) with its pass
    /// mark, and moves on to its defense round.
    func reveal(_ codes: [String], on connection: PostgresConnection) throws {
        guard !codes.isEmpty else { return }
        let keys = codes.map(Self.key)
        let engine = self.engine.on(connection)
        try connection.query(
            """
            INSERT INTO exam_reveals (exam, pass_mark, revealed_at)
            SELECT substr(key, 6), coalesce(data->>'pass_mark', '50')::numeric, $2 FROM workflow_instances
            WHERE workflow = 'exam' AND key = ANY($1::text[])
            """,
            keys, engine.now
        )
        let reason = "every paper has its written mark: names revealed"
        let moved = try engine.moveMany(
            workflow: Self.workflow, transition: "begin_defense", filter: BulkFilter(states: ["written"], keys: keys), actor: .system, reason: reason
        )
        if moved < keys.count {
            // Exams on an older definition version are not in the set move: one by one.
            let left = try connection.query(
                "SELECT key FROM workflow_instances WHERE workflow = 'exam' AND state = 'written' AND key = ANY($1::text[])", keys
            ).rows.map { try $0.decode(0, as: String.self) }
            for key in left { try engine.move(.key(key), transition: "begin_defense", actor: .system, reason: reason) }
        }
    }
}
