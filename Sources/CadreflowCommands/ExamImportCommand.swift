import CadreflowDomain
import CadreflowProtocol
import CadreflowRules
import CadreflowServer
import Crypto

/// EXAM IMPORT written|defense format=csv: the upload framing and the file's own checks
/// (``ExamResultRows``); the rest is ``ExamService/importResults(_:by:on:)``, in the
/// server's transaction with the audit row and the `idem=` record.
struct ExamImportCommand {
    let exams: ExamService

    var spec: CommandSpec {
        CommandSpec(
            name: "EXAM IMPORT", usage: "EXAM IMPORT written|defense format=csv   (then CSV lines, then a lone .)",
            summary: "upload a round's results: written exam,paper,score or defense exam,candidate,member,score (all or nothing, errors name the line)",
            roles: [.admin, .organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            _ = try session.requireAccount()
            let round = try request.word(2, "written|defense").lowercased()
            let columns = try ExamResultRows.header(round: round)
            try request.allowOnly(["format"])
            try UploadRecords.requireCSV(request)
            return .upload(prompt: "send CSV lines (header \(columns.joined(separator: ","))), end with a single \".\"") { lines, account in
                let (header, records) = try UploadRecords.split(lines)
                let rows = try ExamResultRows.check(round: round, header: header, records: records)
                // The lines and their newlines, hashed a block at a time.
                var hash = SHA256()
                var block: [UInt8] = []
                block.reserveCapacity(1 << 16 + 4096)
                for line in lines {
                    block.append(contentsOf: line.utf8)
                    block.append(0x0A)
                    if block.count >= 1 << 16 {
                        hash.update(data: block)
                        block.removeAll(keepingCapacity: true)
                    }
                }
                hash.update(data: block)
                let digest = hash.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
                let file = ExamResultsFile(round: round, rows: rows, digest: digest)
                let requester = account.requester
                return .inTransaction { connection in .ok(try exams.importResults(file, by: requester, on: connection)) }
            }
        }
    }
}
