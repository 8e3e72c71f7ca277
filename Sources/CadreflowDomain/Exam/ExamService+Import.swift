import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// A checked results file of one round, ready for ``ExamService/importResults(_:by:on:)``.
public struct ExamResultsFile: Sendable {
    /// `written` or `defense`.
    public var round: String
    /// The checked rows.
    public var rows: [ExamResultRows.Row]
    /// A digest of the file's lines: the same file sent again is recognised.
    public var digest: String

    /// A file from its round, rows and digest.
    public init(round: String, rows: [ExamResultRows.Row], digest: String) {
        self.round = round
        self.rows = rows
        self.digest = digest
    }
}

extension ExamService {
    /// The most problems one reply lists.
    static let problemLimit = 100
    /// Rows stored at once past which the table is analysed.
    static let analyzeAfter = 10_000

    /// Imports a results file in the caller's transaction, all or nothing, every problem
    /// naming its line. A written file goes by ``importWritten(_:by:on:)``; a defense
    /// file travels by COPY into a temporary table and is checked by set-based
    /// statements: the exam exists, is in the requester's scope and in its defense round;
    /// the candidate is the exam's and passed the written round; a score stored already
    /// is not changed; the council is the same for every candidate of an exam. Rows
    /// already stored with the same score are left as they are, and a file imported
    /// before changes nothing.
    public func importResults(_ file: ExamResultsFile, by requester: Requester, on connection: PostgresConnection) throws -> String {
        // The same file sent twice at once: the second waits for the first, then finds it.
        try connection.query("SELECT pg_advisory_xact_lock(hashtextextended('exam_import:' || $1, 0))", file.digest)
        if file.round == "written" { return try importWritten(file, by: requester, on: connection) }
        try connection.execute(
            "CREATE TEMP TABLE import_exam_rows (line int, exam text, key text, cadre text, member text, score numeric(5,2)) ON COMMIT DROP"
        )
        try connection.copyFrom("COPY import_exam_rows FROM STDIN", rows: file.rows.lazy.map { row in
            // The instance key travels too, so that joins to the instances are on plain columns.
            [String(row.line), row.exam, Self.key(row.exam)] + row.keys.map { Optional($0) } + [row.score.description]
        })
        try connection.execute("ANALYZE import_exam_rows")
        // Lock the file's exams (in id order, as the engine does) so that no move or other
        // import interleaves; then check.
        try connection.query(
            "SELECT id FROM workflow_instances WHERE key IN (SELECT DISTINCT key FROM import_exam_rows) AND workflow = 'exam' ORDER BY id FOR UPDATE"
        )
        // Exams that do not exist or lie outside the scope are reported alone: the round's
        // checks would tell of candidates and scores that are not the requester's to see.
        let common = try commonProblems(requester, on: connection)
        if let first = common.first { throw first.with(others: Array(common.dropFirst().prefix(Self.problemLimit - 1))) }
        // The same file again (now that it is known to be the requester's): nothing changes.
        if let earlier = try earlierImport(of: file, on: connection) { return earlier }
        var problems = try defenseProblems(on: connection)
        problems.sort { ($0.line ?? 0) < ($1.line ?? 0) }
        if let first = problems.first { throw first.with(others: Array(problems.dropFirst().prefix(Self.problemLimit - 1))) }

        let importID = try recordImport(of: file, by: requester, on: connection)
        // Rows stored already (checked above to have the same score) are skipped; without
        // any, a plain INSERT spares the speculative insertion of ON CONFLICT.
        let repeated = try connection.query(
            "SELECT EXISTS (SELECT 1 FROM import_exam_rows i JOIN exam_defense_scores d ON d.exam = i.exam AND d.cadre_code = i.cadre AND d.member = i.member)"
        ).scalar(Bool.self) ?? true
        let stored = try connection.query(
            """
            INSERT INTO exam_defense_scores (exam, cadre_code, member, score, import_id)
            SELECT exam, cadre, member, score, $1 FROM import_exam_rows\(repeated ? " ON CONFLICT (exam, cadre_code, member) DO NOTHING" : "")
            """,
            importID
        ).affectedRows
        try connection.query("UPDATE exam_imports SET stored = $2 WHERE id = $1", importID, stored)
        if stored >= Self.analyzeAfter {
            // Fresh statistics, so that the next file's checks plan for the table's real size.
            try connection.query("SELECT analyze_table($1)", "exam_defense_scores")
        }
        return Self.summary(of: file, stored: stored)
    }

    /// The reply of a file imported before: nothing changed. Nil for a new file.
    func earlierImport(of file: ExamResultsFile, on connection: PostgresConnection) throws -> String? {
        guard let earlier = try connection.query(
            "SELECT imported_at, imported_by, rows FROM exam_imports WHERE round = $1 AND digest = $2",
            file.round, file.digest
        ).rows.first else { return nil }
        let at = try day(earlier.decode(0, as: Date.self), on: connection)
        let by: String = try earlier.decode(1)
        let rows: Int = try earlier.decode(2)
        return "this \(file.round) file (\(rows) rows) was imported already on \(at) by \(by); nothing changed"
    }

    /// Records a new file (its row count, who, when); returns the import's id.
    func recordImport(of file: ExamResultsFile, by requester: Requester, on connection: PostgresConnection) throws -> Int64 {
        try connection.query(
            "INSERT INTO exam_imports (round, digest, rows, stored, imported_by, imported_at) VALUES ($1, $2, $3, 0, $4, $5) RETURNING id",
            file.round, file.digest, file.rows.count, requester.login, engine.on(connection).now
        ).scalar(Int64.self) ?? 0
    }

    /// The reply's first part: how many rows were stored, for how many exams.
    static func summary(of file: ExamResultsFile, stored: Int) -> String {
        let written = file.round == "written"
        let exams = Set(file.rows.map(\.exam)).count
        var summary = "imported \(stored) \(written ? "written mark" : "defense score")\(stored == 1 ? "" : "s") for \(exams) exam\(exams == 1 ? "" : "s")"
        if stored < file.rows.count { summary += " (\(file.rows.count - stored) stored already with the same score)" }
        return summary
    }

    /// The exam checks of a defense file: the exam exists and is in the requester's scope.
    private func commonProblems(_ requester: Requester, on connection: PostgresConnection) throws -> [DomainError] {
        var problems = try connection.query(
            """
            SELECT i.line, i.exam FROM import_exam_rows i
            WHERE NOT EXISTS (SELECT 1 FROM workflow_instances w WHERE w.key = i.key AND w.workflow = 'exam')
            ORDER BY i.line LIMIT \(Self.problemLimit)
            """
        ).rows.map { DomainError(.notFound, "exam \(try $0.decode(1, as: String.self)) does not exist", line: try $0.decode(0)) }
        problems += try connection.query(
            """
            SELECT i.line, i.exam, w.data->>'unit' FROM import_exam_rows i
            JOIN workflow_instances w ON w.key = i.key AND w.workflow = 'exam'
            LEFT JOIN units u ON u.code = w.data->>'unit'
            WHERE NOT \(UnitScope.sqlCondition(path: "coalesce(u.path, '')", scope: "$1"))
            ORDER BY i.line LIMIT \(Self.problemLimit)
            """,
            requester.scope.path
        ).rows.map {
            DomainError(.denied, "exam \(try $0.decode(1, as: String.self)) (unit \(try $0.decode(2, as: String.self))) is outside your scope", line: try $0.decode(0))
        }
        return problems
    }
}
