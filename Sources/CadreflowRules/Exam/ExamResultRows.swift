/// The checks of an exam-results file that need no database: the header of the round,
/// the field count, each score a ``Mark`` (0…100, at most two
/// decimals). Every problem is collected, each naming its line, so that a JSON client
/// gets the full list.
public enum ExamResultRows {
    /// The rounds and their columns.
    public static let headers: [String: [String]] = ["written": ["exam", "paper", "score"], "defense": ["exam", "candidate", "member", "score"]]

    /// One checked row: its line, its exam, its key fields (paper; or candidate and
    /// member) and its score.
    public struct Row: Sendable, Equatable {
        /// The file line (the header is line 1).
        public var line: Int
        /// The exam code.
        public var exam: String
        /// The paper code (upper-cased), or the candidate and the council member.
        public var keys: [String]
        /// The score.
        public var score: Mark

        /// A row from its parts.
        public init(line: Int, exam: String, keys: [String], score: Mark) {
            self.line = line
            self.exam = exam
            self.keys = keys
            self.score = score
        }
    }

    /// The columns of a round, or an error naming the round.
    public static func header(round: String) throws(DomainError) -> [String] {
        guard let header = headers[round.lowercased()] else { throw DomainError.invalid("round", "written or defense, not \(round)") }
        return header
    }

    /// Checks a file's header and rows; throws every problem (the first, with the others
    /// in ``DomainError/others``), by line.
    public static func check(round: String, header: [String], records: [ImportRecord]) throws(DomainError) -> [Row] {
        let expected = try self.header(round: round)
        let columns = header.map { $0.trimmingSpaces.lowercased() }
        guard columns == expected else {
            throw DomainError(.invalid, "header must be \(expected.joined(separator: ",")), got \(columns.joined(separator: ","))", line: 1)
        }
        guard !records.isEmpty else { throw DomainError(.invalid, "the file has a header and no rows", line: 1) }
        var rows: [Row] = []
        rows.reserveCapacity(records.count)
        var problems: [DomainError] = []
        var seen: [Identity: Int] = [:]
        seen.reserveCapacity(records.count)
        for record in records {
            do throws(DomainError) {
                let row = try check(record, columns: expected)
                let identity = Identity(exam: row.exam, keys: row.keys)
                if let first = seen.updateValue(record.line, forKey: identity) {
                    seen[identity] = first
                    throw DomainError(.invalid, "duplicate row: \(([row.exam] + row.keys).joined(separator: ",")) is on line \(first) already", line: record.line)
                }
                rows.append(row)
            } catch {
                problems.append(error)
            }
        }
        if let first = problems.first { throw first.with(others: Array(problems.dropFirst())) }
        return rows
    }

    /// What makes two rows the same row: the exam and the key fields.
    private struct Identity: Hashable {
        var exam: String
        var keys: [String]
    }

    private static func check(_ record: ImportRecord, columns: [String]) throws(DomainError) -> Row {
        let fields = record.fields
        guard fields.count == columns.count else {
            throw DomainError(.invalid, "\(fields.count) fields, expected \(columns.count) (\(columns.joined(separator: ",")))", line: record.line)
        }
        let exam = fields[0].trimmingSpaces
        var keys: [String] = []
        keys.reserveCapacity(columns.count - 2)
        for index in 1..<(columns.count - 1) { keys.append(fields[index].trimmingSpaces) }
        if exam.isEmpty { throw DomainError(.invalid, "\(columns[0]) is empty", line: record.line) }
        for (offset, key) in keys.enumerated() where key.isEmpty {
            throw DomainError(.invalid, "\(columns[offset + 1]) is empty", line: record.line)
        }
        if columns.count == 4, longer(keys[1], than: 200) {
            throw DomainError(.invalid, "member is longer than 200 characters", line: record.line)
        }
        if longer(keys[0], than: 64) { throw DomainError(.invalid, "\(columns[1]) is longer than 64 characters", line: record.line) }
        if longer(exam, than: 64) { throw DomainError(.invalid, "exam is longer than 64 characters", line: record.line) }
        // Paper codes are written in capitals; a marker may type them in lower case.
        if columns[1] == "paper", keys[0].utf8.contains(where: { $0 >= UInt8(ascii: "a") }) { keys[0] = keys[0].uppercased() }
        let scoreText = fields[columns.count - 1].trimmingSpaces
        return Row(line: record.line, exam: exam, keys: keys, score: try score(scoreText, line: record.line))
    }

    /// Whether `text` has more than `limit` characters (counted only when its bytes are more).
    private static func longer(_ text: String, than limit: Int) -> Bool {
        text.utf8.count > limit && text.count > limit
    }

    /// A score as written: `75.5`, or `75,5` with a decimal comma (what a spreadsheet in a
    /// Vietnamese or European locale writes; in a comma-separated file it comes quoted).
    private static func score(_ text: String, line: Int) throws(DomainError) -> Mark {
        // The common shapes (`75`, `75.5`, `75,25`) in one pass over the bytes.
        var whole = 0, fraction = 0, fractionDigits = 0, digits = 0
        var seenSeparator = false, plain = !text.isEmpty
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if seenSeparator {
                    fractionDigits += 1
                    if fractionDigits <= 2 { fraction = fraction * 10 + Int(byte - UInt8(ascii: "0")) } else if byte != UInt8(ascii: "0") { plain = false }
                } else {
                    digits += 1
                    whole = whole * 10 + Int(byte - UInt8(ascii: "0"))
                    if digits > 3 { plain = false }
                }
            case UInt8(ascii: "."), UInt8(ascii: ","):
                if seenSeparator || digits == 0 { plain = false }
                seenSeparator = true
            default:
                plain = false
            }
            if !plain { break }
        }
        if plain, !(seenSeparator && fractionDigits == 0) {
            while fractionDigits < 2 { fraction *= 10; fractionDigits += 1 }
            let mark = Mark(hundredths: whole * 100 + fraction)
            if mark.hundredths <= 10_000 { return mark }
        }
        return try slowScore(text, line: line)
    }

    /// Every other shape, with the message that names what is wrong.
    private static func slowScore(_ text: String, line: Int) throws(DomainError) -> Mark {
        let unsigned = text.hasPrefix("-") ? String(text.dropFirst()) : text
        let parts = unsigned.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "." || $0 == "," })
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else {
            throw DomainError(.invalid, "score \(text.isEmpty ? "(empty)" : text) is not a number (write 75.5 or 75,5)", line: line)
        }
        let whole = parts[0].drop { $0 == "0" }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard unsigned == text, whole.count <= 3, let wholeValue = Int(whole.isEmpty ? "0" : String(whole)),
              wholeValue < 100 || (wholeValue == 100 && fraction.allSatisfy { $0 == "0" }) else {
            throw DomainError(.invalid, "score \(text) out of range 0..100", line: line)
        }
        do {
            return try Mark.parse(text, field: "score")
        } catch {
            throw DomainError(.invalid, "score \(text) has more than two decimals", line: line)
        }
    }
}
