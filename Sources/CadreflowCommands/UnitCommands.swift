import CadreflowDomain
import CadreflowPostgres
import CadreflowProtocol
import CadreflowRules
import CadreflowServer

/// UNIT ADD, SHOW, LIST and the lineage commands MERGE, SPLIT, RENAME, CLOSE.
struct UnitCommands {
    let organisation: OrganisationService

    var all: [CommandSpec] { [add, show, list, merge, split, rename, close] }

    private var add: CommandSpec {
        CommandSpec(
            name: "UNIT ADD", usage: "UNIT ADD <unit> name=<text> [parent=<unit>] [kind=<word>] [locality=<code>] [valid_from=<date>]",
            summary: "add a unit under a parent (an organizer: inside its subtree)", roles: [.admin, .organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["name", "parent", "kind", "locality", "valid_from"])
            let draft = try UnitDraft(code: try request.word(2, "unit"), fields: request.option)
            return .inTransaction { connection in .ok(try organisation.addUnit(draft, by: requester, on: connection).code) }
        }
    }

    private var show: CommandSpec {
        CommandSpec(name: "UNIT SHOW", usage: "UNIT SHOW <unit>", summary: "one unit with its predecessors, successors and renames", roles: Set(Role.allCases)) {
            (request: Request, session: SessionState, _: ServerContext) throws -> PostgresRead<Reply> in
            organisation.unitRead(try request.word(2, "unit"), by: try session.requireAccount().requester).map { detail in
                func links(_ direction: LineageLink.Direction) -> String {
                    detail.links.filter { $0.direction == direction }.map { "\($0.unit) (\($0.kind) \($0.date))" }.joined(separator: ", ")
                }
                let renames = detail.renames.map { "\($0.oldName) → \($0.newName) (\($0.date))" }.joined(separator: ", ")
                return .table(DataTable(
                    columns: TableRows.unitColumns + ["predecessors", "successors", "renamed"],
                    rows: [TableRows.unit(detail.unit) + [links(.predecessor), links(.successor), renames]]
                ))
            }
        }
    }

    private var list: CommandSpec {
        CommandSpec(
            name: "UNIT LIST", usage: "UNIT LIST [parent=<unit>] [at=<date>] [all=yes|no]",
            summary: "units in your scope as they stood on a day (default today; all=yes: every unit ever)", roles: Set(Role.allCases)
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            try request.allowOnly(["parent", "at", "all"])
            let units = try await organisation.units(
                at: try CalendarDay.parse(request.option("at"), field: "at"), parent: request.option("parent"),
                includeClosed: try YesNo.parse(request.option("all"), field: "all"), by: try session.requireAccount().requester
            )
            return .table(DataTable(columns: TableRows.unitColumns, rows: units.map(TableRows.unit)))
        }
    }

    /// A lineage command: the event from the request's words and options, recorded in the server's transaction.
    private func lineage(
        _ kind: LineageEvent.Kind, usage: String, summary: String, allowed: Set<String>,
        fields: @escaping @Sendable (Request) throws(ProtocolError) -> [String: String]
    ) -> CommandSpec {
        CommandSpec(name: "UNIT \(kind.rawValue.uppercased())", usage: usage, summary: summary, roles: [.admin, .organizer]) {
            (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(allowed.union(["date", "decision"]))
            let given = try fields(request)
            let event = try LineageEvent(kind: kind) { given[$0] ?? request.option($0) }
            return .inTransaction { connection in .ok(try organisation.record(event, by: requester, on: connection)) }
        }
    }

    private var merge: CommandSpec {
        lineage(.merge, usage: "UNIT MERGE <unit>,<unit>,… into=<unit> date=<date> decision=<text>",
                summary: "merge units into one (existing or added with valid_from=); their cadres move to it", allowed: ["into"]) { request throws(ProtocolError) in
            ["from": try request.word(2, "units"), "code": try request.required("into")]
        }
    }

    private var split: CommandSpec {
        lineage(.split, usage: "UNIT SPLIT <unit> into=<unit>,<unit>,… date=<date> decision=<text>",
                summary: "split a unit into several; its cadres move to the first", allowed: ["into"]) { request throws(ProtocolError) in
            ["code": try request.word(2, "unit")]
        }
    }

    private var rename: CommandSpec {
        lineage(.rename, usage: "UNIT RENAME <unit> name=<text> date=<date> decision=<text>",
                summary: "give a unit a new name from a date", allowed: ["name"]) { request throws(ProtocolError) in
            ["code": try request.word(2, "unit")]
        }
    }

    private var close: CommandSpec {
        lineage(.close, usage: "UNIT CLOSE <unit> date=<date> decision=<text> [into=<unit>]",
                summary: "close a unit; its cadres move to into=", allowed: ["into"]) { request throws(ProtocolError) in
            ["code": try request.word(2, "unit")]
        }
    }
}
