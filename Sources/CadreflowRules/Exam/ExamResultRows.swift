/// The checks of an exam-results file that need no database: the header of the round,
/// the field count, and each score in 0…100.
public enum ExamResultRows {
    /// The rounds and their columns.
    public static let headers: [String: [String]] = ["written": ["exam", "paper", "score"], "defense": ["exam", "candidate", "member", "score"]]

    /// One checked row: its line, its exam, its other fields and its score.
    public struct Row: Sendable, Equatable {
        public var line: Int
        public var exam: String
        public var fields: [String]
        public var score: Double
    }

    /// The columns of a round, or an error naming the round.
    public static func header(round: String) throws(DomainError) -> [String] {
        guard let header = headers[round.lowercased()] else { throw DomainError.invalid("round", "written or defense, not \(round)") }
        return header
    }

    /// Checks a file's header and rows; the first problem names its line.
    public static func check(round: String, header: [String], records: [ImportRecord]) throws(DomainError) -> [Row] {
        let expected = try self.header(round: round)
        let columns = header.map { $0.trimmingSpaces.lowercased() }
        guard columns == expected else {
            throw DomainError(.invalid, "header must be \(expected.joined(separator: ",")), got \(columns.joined(separator: ","))", line: 1)
        }
        return try records.map { record throws(DomainError) in
            guard record.fields.count == expected.count else {
                throw DomainError(.invalid, "\(record.fields.count) fields, expected \(expected.count)", line: record.line)
            }
            let scoreText = record.fields[expected.count - 1].trimmingSpaces
            guard let score = number(scoreText) else {
                throw DomainError(.invalid, "score \(scoreText.isEmpty ? "(empty)" : scoreText) is not a number (write 75.5 or 75,5)", line: record.line)
            }
            guard (0...100).contains(score) else {
                throw DomainError(.invalid, "score \(scoreText) out of range 0..100", line: record.line)
            }
            return Row(line: record.line, exam: record.fields[0].trimmingSpaces, fields: record.fields.map(\.trimmingSpaces), score: score)
        }
    }

    /// A score as written: `75.5`, or `75,5` with a decimal comma (what a spreadsheet in a
    /// Vietnamese or European locale writes; in a comma-separated file it comes quoted).
    /// A text with both `,` and `.`, or more than one `,`, is not a number.
    private static func number(_ text: String) -> Double? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return parts.count == 1 ? Double(text) : nil }
        guard !text.contains("."), !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return Double(parts.joined(separator: "."))
    }
}
