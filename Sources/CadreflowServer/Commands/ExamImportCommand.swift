import CadreflowPostgres
import CadreflowProtocol

/// EXAM IMPORT written|defense format=csv: the upload framing and the row checks that do
/// not need the examination domain (header, field count, score range, the exam exists).
/// Storing marks arrives with the examination issue: until then a file that passes the
/// checks is refused with `ERR UNAVAILABLE`, and nothing is ever stored.
enum ExamImportCommand {
    static let headers = ["written": ["exam", "paper", "score"], "defense": ["exam", "candidate", "member", "score"]]

    static let spec = CommandSpec(
        name: "EXAM IMPORT", usage: "EXAM IMPORT written|defense format=csv   (then CSV lines, then a lone .)",
        summary: "upload exam results (all or nothing, errors name the line)", roles: [.admin, .organizer], changesState: true
    ) { request, session, _ in
        _ = try session.requireAccount()
        let round = try request.word(2, "written|defense").lowercased()
        guard let header = headers[round] else { throw ProtocolError(.invalid, "round: written or defense") }
        try request.allowOnly(["format"])
        guard request.option("format")?.lowercased() == "csv" else { throw ProtocolError(.invalid, "format: csv") }
        session.upload = PendingUpload(request: request) { lines, _, context in
            try await check(lines, header: header, context: context)
        }
        return .go("send CSV lines (header \(header.joined(separator: ","))), end with a single \".\"")
    }

    private static func check(_ lines: [String], header: [String], context: ServerContext) async throws -> Reply {
        guard let first = lines.first else { throw ProtocolError(.invalid, "line 1: the upload is empty (a header is expected)") }
        let columns = try CSVParser.fields(first).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard columns == header else {
            throw ProtocolError(.invalid, "line 1: header must be \(header.joined(separator: ",")), got \(columns.joined(separator: ","))")
        }
        var exams: [(line: Int, exam: String)] = []
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            let fields: [String]
            do { fields = try CSVParser.fields(line) } catch { throw ProtocolError(.invalid, "line \(number): \(error.message)") }
            guard fields.count == header.count else {
                throw ProtocolError(.invalid, "line \(number): \(fields.count) fields, expected \(header.count)")
            }
            guard let score = Double(fields[header.count - 1].trimmingCharacters(in: .whitespaces)), (0...100).contains(score) else {
                throw ProtocolError(.invalid, "line \(number): score \(fields[header.count - 1]) out of range 0..100")
            }
            exams.append((number, fields[0]))
        }
        let keys = exams.map { "exam/\($0.exam)" }
        let known = try await context.pool.withConnection { connection in
            Set(try connection.query(
                "SELECT key FROM workflow_instances WHERE workflow = 'exam' AND key = ANY($1::text[])", keys
            ).rows.map { try $0.decode(0, as: String.self) })
        }
        if let missing = exams.first(where: { !known.contains("exam/\($0.exam)") }) {
            throw ProtocolError(.notFound, "line \(missing.line): exam \(missing.exam) does not exist")
        }
        throw ProtocolError(.unavailable, "\(exams.count) rows checked; storing exam results arrives with the examination workflow; nothing was imported")
    }
}
