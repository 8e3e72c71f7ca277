import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// The written round's import: read the file's exams under their locks, let
/// ``WrittenMarksCheck`` decide, store its sheets by COPY, reveal the exams it completes.
extension ExamService {
    /// Imports a written-round file in the caller's transaction (see
    /// ``importResults(_:by:on:)``): the exam exists and is in the requester's scope; the
    /// paper is the exam's; a stored mark is not changed; new marks only while the exam
    /// is in its written round. A file that completes an exam's marks reveals its names
    /// and opens its defense round.
    func importWritten(_ file: ExamResultsFile, by requester: Requester, on connection: PostgresConnection) throws -> String {
        var codes: [String] = []
        var seen: Set<String> = []
        for row in file.rows where seen.insert(row.exam).inserted { codes.append(row.exam) }
        // Lock the file's exams (in id order, as the engine does) so that no move or other
        // import interleaves; then read them.
        try connection.query(
            "SELECT id FROM workflow_instances WHERE workflow = 'exam' AND key = ANY($1::text[]) ORDER BY id FOR UPDATE", codes.map(Self.key)
        )
        let exams = try writtenRoundExams(codes, on: connection)
        let outside = WrittenMarksCheck.examProblems(file.rows, exams: exams, scope: requester.scope)
        if let first = outside.first { throw first.with(others: Array(outside.dropFirst().prefix(Self.problemLimit - 1))) }
        // The same file again (now that it is known to be the requester's): nothing changes.
        if let earlier = try earlierImport(of: file, on: connection) { return earlier }
        let outcome: WrittenMarksCheck.Outcome
        do {
            outcome = try WrittenMarksCheck.check(file.rows, exams: exams)
        } catch {
            throw error.with(others: Array(error.others.prefix(Self.problemLimit - 1)))
        }
        let importID = try recordImport(of: file, by: requester, on: connection)
        // One sheet per exam. Its papers are the exam's own codes (checked above), which
        // are letters, digits and a dash: array elements that need no quoting.
        let stored = outcome.sheets.reduce(0) { $0 + $1.rows.count }
        try connection.copyFrom("COPY exam_written_mark_sheets (exam, import_id, papers, hundredths) FROM STDIN", rows: outcome.sheets.lazy.map { sheet in
            [
                sheet.exam, String(importID),
                "{" + sheet.rows.map { $0.keys[0] }.joined(separator: ",") + "}",
                "{" + sheet.rows.map { String($0.score.hundredths) }.joined(separator: ",") + "}",
            ]
        })
        try connection.query("UPDATE exam_imports SET stored = $2 WHERE id = $1", importID, stored)
        try reveal(outcome.complete, on: connection)
        var summary = Self.summary(of: file, stored: stored)
        if !outcome.complete.isEmpty {
            summary += "; every paper marked, names revealed and the defense round open: \(outcome.complete.joined(separator: ", "))"
        }
        return summary
    }

    /// The file's exams that exist, by code: state, unit and its path, papers, and the
    /// marks stored already with the day of their import.
    private func writtenRoundExams(_ codes: [String], on connection: PostgresConnection) throws -> [String: WrittenRoundExam] {
        var exams: [String: WrittenRoundExam] = [:]
        for row in try connection.query(
            """
            SELECT substr(w.key, 6), w.state, coalesce(w.data->>'unit', ''), coalesce(u.path, ''),
                   coalesce((SELECT string_agg(p.code, ',') FROM exam_papers p WHERE p.exam = substr(w.key, 6)), '')
            FROM workflow_instances w LEFT JOIN units u ON u.code = w.data->>'unit'
            WHERE w.workflow = 'exam' AND w.key = ANY($1::text[])
            """,
            codes.map(Self.key)
        ).rows {
            let code: String = try row.decode(0)
            let papers: String = try row.decode(4)
            exams[code] = WrittenRoundExam(
                code: code, state: try row.decode(1), unit: try row.decode(2), unitPath: try row.decode(3),
                papers: Set(papers.utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }), marks: [:]
            )
        }
        for row in try connection.query(
            """
            SELECT s.exam, array_to_string(s.papers, ','), array_to_string(s.hundredths, ','), x.imported_at
            FROM exam_written_mark_sheets s JOIN exam_imports x ON x.id = s.import_id
            WHERE s.exam = ANY($1::text[])
            """,
            Array(exams.keys)
        ).rows {
            let code: String = try row.decode(0)
            let imported = day(try row.decode(3, as: Date.self), on: connection).description
            let papers = try row.decode(1, as: String.self).split(separator: ",")
            let hundredths = try row.decode(2, as: String.self).split(separator: ",")
            for (paper, value) in zip(papers, hundredths) {
                guard let value = Int(value) else { continue }
                exams[code]?.marks[String(paper)] = WrittenRoundExam.StoredMark(mark: Mark(hundredths: value), imported: imported)
            }
        }
        return exams
    }
}
