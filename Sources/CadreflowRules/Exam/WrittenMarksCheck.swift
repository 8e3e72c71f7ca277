/// What the database holds of one exam that a written-round file names, read under the
/// lock of the exam's instance.
public struct WrittenRoundExam: Sendable {
    /// The exam code.
    public var code: String
    /// The exam's workflow state.
    public var state: String
    /// The unit of the exam's post, and that unit's path.
    public var unit: String
    public var unitPath: String
    /// The exam's paper codes.
    public var papers: Set<String>
    /// The marks stored already, by paper, each with the day of its import.
    public var marks: [String: StoredMark]

    /// A stored mark and the day it was imported.
    public struct StoredMark: Sendable {
        public var mark: Mark
        public var imported: String

        /// A stored mark from its parts.
        public init(mark: Mark, imported: String) {
            self.mark = mark
            self.imported = imported
        }
    }

    /// An exam as read.
    public init(code: String, state: String, unit: String, unitPath: String, papers: Set<String>, marks: [String: StoredMark]) {
        self.code = code
        self.state = state
        self.unit = unit
        self.unitPath = unitPath
        self.papers = papers
        self.marks = marks
    }
}

/// The rules of a written-round file against what its exams hold: which rows are new
/// marks, which are stored already with the same score, which exams the file completes,
/// and every problem by line. Pure: the import reads the exams, this decides, the import
/// stores what it says.
public enum WrittenMarksCheck {
    /// The new marks of one exam, in the file's order.
    public struct Sheet: Sendable, Equatable {
        public var exam: String
        public var rows: [ExamResultRows.Row]
    }

    /// What a valid file does.
    public struct Outcome: Sendable, Equatable {
        /// The new marks, one sheet per exam, in the order the exams first appear.
        public var sheets: [Sheet]
        /// Rows whose paper has that very mark already.
        public var storedAlready: Int
        /// The exams still in their written round whose every paper has a mark once the
        /// sheets are stored, by code.
        public var complete: [String]
    }

    /// Rows naming an exam that does not exist or lies outside `scope`, by line. They are
    /// reported alone: the round's checks would tell of papers that are not the
    /// requester's to see.
    public static func examProblems(_ rows: [ExamResultRows.Row], exams: [String: WrittenRoundExam], scope: UnitScope) -> [DomainError] {
        rows.compactMap { row in
            guard let exam = exams[row.exam] else { return DomainError(.notFound, "exam \(row.exam) does not exist", line: row.line) }
            guard scope.covers(exam.unitPath) else {
                return DomainError(.denied, "exam \(row.exam) (unit \(exam.unit)) is outside your scope", line: row.line)
            }
            return nil
        }
    }

    /// The outcome of a file whose exams all exist, or every problem by line: a paper
    /// not of its exam; a paper marked already with another score (marks never change);
    /// a new mark for an exam that is not in its written round.
    public static func check(_ rows: [ExamResultRows.Row], exams: [String: WrittenRoundExam]) throws(DomainError) -> Outcome {
        var problems: [DomainError] = []
        var sheets: [Sheet] = []
        var sheetIndex: [String: Int] = [:]
        var storedAlready = 0
        for row in rows {
            guard let exam = exams[row.exam] else {
                problems.append(DomainError(.notFound, "exam \(row.exam) does not exist", line: row.line))
                continue
            }
            let paper = row.keys[0]
            guard exam.papers.contains(paper) else {
                problems.append(DomainError(.notFound, "paper: \(paper) is not a paper of exam \(row.exam)", line: row.line))
                continue
            }
            if let stored = exam.marks[paper] {
                if stored.mark == row.score {
                    storedAlready += 1
                } else {
                    problems.append(DomainError(
                        .conflict, "score: paper \(paper) has the mark \(stored.mark) already (imported \(stored.imported)); marks never change", line: row.line
                    ))
                }
                continue
            }
            guard exam.state == "written" else {
                problems.append(DomainError(.conflict, "exam \(row.exam) is \(exam.state): written marks are imported during its written round", line: row.line))
                continue
            }
            if let index = sheetIndex[row.exam] {
                sheets[index].rows.append(row)
            } else {
                sheetIndex[row.exam] = sheets.count
                sheets.append(Sheet(exam: row.exam, rows: [row]))
            }
        }
        if let first = problems.first { throw first.with(others: Array(problems.dropFirst())) }
        let complete = sheets.compactMap { sheet -> String? in
            guard let exam = exams[sheet.exam] else { return nil }
            let marked = exam.marks.count + sheet.rows.count
            // Each new row is a distinct paper of the exam with no stored mark (the file
            // has no duplicate rows), so the counts tell whether every paper has one.
            return marked == exam.papers.count ? sheet.exam : nil
        }
        return Outcome(sheets: sheets, storedAlready: storedAlready, complete: complete.sorted())
    }
}
