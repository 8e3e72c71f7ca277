import CadreflowEngine
import CadreflowRules

/// Exam results uploads. The row checks live in ``ExamResultRows``; the exam must exist.
/// Storing marks arrives with the examination issue: until then a file that passes the
/// checks is refused with a clear message, and nothing is ever stored.
public struct ExamResultsService: Sendable {
    let engine: WorkflowEngine

    /// A service on the engine (exams are `exam` workflow instances keyed `exam/<code>`).
    public init(engine: WorkflowEngine) {
        self.engine = engine
    }

    /// Checks a file of a round; throws the first problem by line.
    public func importResults(round: String, header: [String], records: [ImportRecord]) async throws -> Never {
        let rows = try ExamResultRows.check(round: round, header: header, records: records)
        let known = try await engine.existingKeys(workflow: "exam", among: rows.map { "exam/\($0.exam)" })
        if let missing = rows.first(where: { !known.contains("exam/\($0.exam)") }) {
            throw DomainError(.notFound, "exam \(missing.exam) does not exist", line: missing.line)
        }
        throw DomainError(.unavailable, "\(rows.count) rows checked; storing exam results arrives with the examination workflow; nothing was imported")
    }
}
