import CadreflowDomain
import CadreflowProtocol
import CadreflowRules
import CadreflowServer

/// ORG IMPORT format=csv: units, cadres and lineage events in one CSV upload, all or
/// nothing; errors name the line (columns: ``OrgImportFile``).
struct OrgImportCommand {
    let organisation: OrganisationService

    var spec: CommandSpec {
        CommandSpec(
            name: "ORG IMPORT", usage: "ORG IMPORT format=csv   (then CSV lines with a header, then a lone .)",
            summary: "import units, cadres and lineage events (all or nothing, errors name the line)", roles: [.admin, .organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            _ = try session.requireAccount()
            try request.allowOnly(["format"])
            try UploadRecords.requireCSV(request)
            return .upload(prompt: "send CSV lines with a header (type,code,name,…), end with a single \".\"") { lines, account in
                let (header, records) = try UploadRecords.split(lines)
                let file = try OrgImportFile(header: header, records: records)
                let requester = account.requester
                return .inTransaction { connection in .ok(try organisation.importFile(file, by: requester, on: connection).description) }
            }
        }
    }
}
