import CadreflowDomain
import CadreflowPostgres
import CadreflowProtocol
import CadreflowRules
import CadreflowServer

/// ROTATION PROPOSE, APPROVE, REJECT, CANCEL, EXTEND, EVALUATE and COMPLETE: the
/// organizer's steps of an assignment, each in the server's transaction (audit row and
/// `idem=` with it). The rules decide in ``AssignmentService`` and its hooks.
struct AssignmentCommands {
    let assignments: AssignmentService

    var all: [CommandSpec] {
        [propose, approve, step("REJECT", "reject"), step("CANCEL", "cancel"), extend, evaluate, complete]
    }

    /// A write on one assignment named by the word after the subcommand.
    private func write(
        _ name: String, usage: String, summary: String, options: Set<String>,
        _ body: @escaping @Sendable (String, Request, Requester, PostgresConnection) throws -> String
    ) -> CommandSpec {
        CommandSpec(name: name, usage: usage, summary: summary, roles: [.organizer]) {
            (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(options)
            let id = try request.word(2, "id")
            return .inTransaction { connection in .ok(try body(id, request, requester, connection)) }
        }
    }

    private var propose: CommandSpec {
        CommandSpec(
            name: "ROTATION PROPOSE",
            usage: "ROTATION PROPOSE <cadre> kind=rotation|transfer|secondment|position-change to=<unit> start=<date> [months=<n>] [position=<text>] [reason=<text>]",
            summary: "propose an assignment; the rules are checked at once (OK <id>)", roles: [.organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            let allowed: Set<String> = ["kind", "to", "start", "months", "position", "reason"]
            try request.allowOnly(allowed)
            var given: [String: String] = [:]
            for (key, value) in request.options where allowed.contains(key) { given[key] = value }
            let proposal = try AssignmentProposal.parse(cadre: try request.word(2, "cadre"), options: given)
            return .inTransaction { connection in .ok(try assignments.propose(proposal, by: requester, on: connection).summary) }
        }
    }

    private var approve: CommandSpec {
        write("ROTATION APPROVE", usage: "ROTATION APPROVE <id> decision=<text> [date=<date>]", summary: "the decision; it takes effect on its start date",
              options: ["decision", "date"]) { id, request, requester, connection in
            try assignments.approve(id, decision: request.option("decision"), date: request.option("date"), by: requester, on: connection)
        }
    }

    private func step(_ word: String, _ transition: String) -> CommandSpec {
        write(
            "ROTATION \(word)", usage: "ROTATION \(word) <id> reason=<text>",
            summary: transition == "cancel" ? "cancel an assignment before it takes effect" : "reject a proposal", options: ["reason"]
        ) { id, request, requester, connection in
            try assignments.end(id, transition: transition, reason: request.option("reason"), by: requester, on: connection)
        }
    }

    private var extend: CommandSpec {
        write("ROTATION EXTEND", usage: "ROTATION EXTEND <id> months=<n>", summary: "a later end date, checked again", options: ["months"]) {
            id, request, requester, connection in
            try assignments.extend(id, months: request.option("months"), by: requester, on: connection)
        }
    }

    private var evaluate: CommandSpec {
        write("ROTATION EVALUATE", usage: "ROTATION EVALUATE <id> result=<text>", summary: "the receiving unit's evaluation, once due", options: ["result"]) {
            id, request, requester, connection in
            try assignments.evaluate(id, result: request.option("result"), by: requester, on: connection)
        }
    }

    private var complete: CommandSpec {
        write("ROTATION COMPLETE", usage: "ROTATION COMPLETE <id> outcome=return|stay", summary: "back to the sending unit, or stay for good",
              options: ["outcome"]) { id, request, requester, connection in
            try assignments.complete(id, outcome: request.option("outcome"), by: requester, on: connection)
        }
    }
}
