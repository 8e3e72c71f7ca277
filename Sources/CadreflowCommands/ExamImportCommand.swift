import CadreflowDomain
import CadreflowProtocol
import CadreflowRules
import CadreflowServer

/// EXAM IMPORT written|defense format=csv: the upload framing; the checks are the domain's.
struct ExamImportCommand {
    let results: ExamResultsService

    var spec: CommandSpec {
        CommandSpec(
            name: "EXAM IMPORT", usage: "EXAM IMPORT written|defense format=csv   (then CSV lines, then a lone .)",
            summary: "upload exam results (all or nothing, errors name the line)", roles: [.admin, .organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            _ = try session.requireAccount()
            let round = try request.word(2, "written|defense").lowercased()
            let columns = try ExamResultRows.header(round: round)
            try request.allowOnly(["format"])
            try UploadRecords.requireCSV(request)
            return .upload(prompt: "send CSV lines (header \(columns.joined(separator: ","))), end with a single \".\"") { lines, _ in
                let (header, records) = try UploadRecords.split(lines)
                try await results.importResults(round: round, header: header, records: records)
            }
        }
    }
}
