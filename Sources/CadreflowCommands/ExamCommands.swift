import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowProtocol
import CadreflowRules
import CadreflowServer

/// EXAM CREATE, ANNOUNCE, EXTEND, REGISTER, ELIGIBLE, CLOSE, START, PUBLISH, APPOINT,
/// CANCEL and KEY: the organizer's steps of a competitive examination. Each parses,
/// calls ``ExamService`` and renders; the rules decide there.
struct ExamCommands {
    let exams: ExamService

    var all: [CommandSpec] {
        [create, announce, extend, register, eligible, close, start, papers, key, publish, appoint, cancel]
    }

    /// A step that is one engine move of an exam: `body` gets the exam code, the request,
    /// the requester and the commit records.
    private func move(
        _ name: String, usage: String, summary: String, options: Set<String>,
        _ body: @escaping @Sendable (String, Request, Requester, CommitRecords) async throws -> String
    ) -> CommandSpec {
        CommandSpec(name: name, usage: usage, summary: summary, roles: [.organizer]) {
            (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(options)
            let exam = try request.word(2, "exam")
            return .committing { records in .ok(try await body(exam, request, requester, records)) }
        }
    }

    private var create: CommandSpec {
        CommandSpec(
            name: "EXAM CREATE",
            usage: "EXAM CREATE <exam> post=<text> unit=<unit> [level=head|deputy] [min_candidates=<n>] [written_weight=<0..100>] [pass_mark=<mark>] [planning=yes|no]",
            summary: "a draft exam for one leadership post of a unit", roles: [.organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            let allowed: Set<String> = ["post", "unit", "level", "min_candidates", "written_weight", "pass_mark", "planning"]
            try request.allowOnly(allowed)
            let exam = try request.word(2, "exam")
            var given: [String: String] = [:]
            for (key, value) in request.options where allowed.contains(key) { given[key] = value }
            let options = given
            return .inTransaction { connection in .ok(try exams.create(exam, options: options, by: requester, on: connection)) }
        }
    }

    private var announce: CommandSpec {
        move("EXAM ANNOUNCE", usage: "EXAM ANNOUNCE <exam> [deadline=<YYYY-MM-DD>]", summary: "open registration until the deadline (default a month from today)",
             options: ["deadline"]) { exam, request, requester, records in
            try await exams.announce(exam, deadline: request.option("deadline"), by: requester, auditStatements: records.statements, idempotencyKey: records.idempotencyKey)
        }
    }

    private var extend: CommandSpec {
        move("EXAM EXTEND", usage: "EXAM EXTEND <exam> deadline=<YYYY-MM-DD>", summary: "a later registration deadline (reopens a closed registration)",
             options: ["deadline"]) { exam, request, requester, records in
            try await exams.extend(exam, deadline: request.option("deadline"), by: requester, auditStatements: records.statements, idempotencyKey: records.idempotencyKey)
        }
    }

    private var close: CommandSpec {
        move("EXAM CLOSE", usage: "EXAM CLOSE <exam>", summary: "close registration now (refused below the minimum of eligible candidates)", options: []) {
            exam, _, requester, records in
            try await exams.close(exam, by: requester, auditStatements: records.statements, idempotencyKey: records.idempotencyKey)
        }
    }

    private var start: CommandSpec {
        move("EXAM START", usage: "EXAM START <exam> [absent=<cadre>,<cadre>…]",
             summary: "begin the written round: every eligible candidate who sits gets a random paper code", options: ["absent"]) { exam, request, requester, records in
            try await exams.start(exam, absent: request.option("absent"), by: requester, auditStatements: records.statements, idempotencyKey: records.idempotencyKey)
        }
    }

    private var publish: CommandSpec {
        move("EXAM PUBLISH", usage: "EXAM PUBLISH <exam>", summary: "rank the candidates and freeze the results", options: []) { exam, _, requester, records in
            try await exams.publish(exam, by: requester, auditStatements: records.statements, idempotencyKey: records.idempotencyKey)
        }
    }

    private var appoint: CommandSpec {
        move("EXAM APPOINT", usage: "EXAM APPOINT <exam> [cadre=<cadre>] decision=<text> [date=<YYYY-MM-DD>]",
             summary: "the winner holds the post (cadre= among those tied first); nobody passed: no winner", options: ["cadre", "decision", "date"]) {
            exam, request, requester, records in
            try await exams.appoint(
                exam, cadre: request.option("cadre"), decision: request.option("decision"), date: request.option("date"), by: requester,
                auditStatements: records.statements, idempotencyKey: records.idempotencyKey
            )
        }
    }

    private var cancel: CommandSpec {
        move("EXAM CANCEL", usage: "EXAM CANCEL <exam> reason=<text>", summary: "cancel an exam before publication", options: ["reason"]) {
            exam, request, requester, records in
            try await exams.cancel(exam, reason: request.option("reason"), by: requester, auditStatements: records.statements, idempotencyKey: records.idempotencyKey)
        }
    }

    private var register: CommandSpec {
        CommandSpec(
            name: "EXAM REGISTER", usage: "EXAM REGISTER <exam> <cadre>", summary: "register a candidate; the automatic checks run and are shown",
            roles: [.organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly([])
            let exam = try request.word(2, "exam")
            let cadre = try request.word(3, "cadre")
            return .inTransaction { connection in .ok(try exams.register(exam, cadre: cadre, by: requester, on: connection)) }
        }
    }

    private var eligible: CommandSpec {
        CommandSpec(
            name: "EXAM ELIGIBLE", usage: "EXAM ELIGIBLE <exam> <cadre> yes|no [reason=<text>]",
            summary: "rule a candidate eligible or not (no, or yes over failed checks, needs a reason)", roles: [.organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["reason"])
            let exam = try request.word(2, "exam")
            let cadre = try request.word(3, "cadre")
            let ruling = try YesNo.parse(try request.word(4, "yes|no"), field: "eligible")
            let reason = request.option("reason")
            return .inTransaction { connection in
                .ok(try exams.rule(exam, cadre: cadre, eligible: ruling, reason: reason, by: requester, on: connection))
            }
        }
    }

    private var papers: CommandSpec {
        CommandSpec(
            name: "EXAM PAPERS", usage: "EXAM PAPERS <exam>", summary: "the paper codes alone, for the markers (with each one's mark once imported)",
            roles: [.organizer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly([])
            let papers = try await exams.papers(try request.word(2, "exam"), by: requester)
            return .table(DataTable(columns: ["paper", "mark"], rows: papers.map { [$0.code, $0.mark ?? ""] }))
        }
    }

    private var key: CommandSpec {
        CommandSpec(
            name: "EXAM KEY", usage: "EXAM KEY <exam> reason=<text>",
            summary: "emergency only: the paper codes with their candidates before the reveal (recorded with the reason)", roles: [.organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["reason"])
            let exam = try request.word(2, "exam")
            let reason = request.option("reason")
            return .inTransaction { connection in
                let lines = try exams.key(exam, reason: reason, by: requester, on: connection)
                return .table(
                    DataTable(columns: ["paper", "cadre", "name"], rows: lines.map { [$0.code, $0.cadre, $0.name] }),
                    text: "the key of \(exam): this disclosure is recorded with your reason"
                )
            }
        }
    }
}
