import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowProtocol
import CadreflowRules
import CadreflowServer
import Foundation

/// CYCLE OPEN, CLOSE, STATUS, LIST, OUTSTANDING and ASSESS SELF, REVIEW, APPROVE, RETURN,
/// EXEMPT, REOPEN, SHOW, LIST: the monthly assessment. Each parses, calls
/// ``AssessmentService`` and renders; the rules decide there.
struct AssessmentCommands {
    let assessments: AssessmentService

    var all: [CommandSpec] {
        [cycleOpen, cycleClose, cycleStatus, cycleList, cycleOutstanding]
            + [step(.selfAssess), step(.review), approve, step(.returnForRevision), step(.exempt), step(.reopen), show, list]
    }

    private var cycleOpen: CommandSpec {
        CommandSpec(
            name: "CYCLE OPEN", usage: "CYCLE OPEN <YYYY-MM> [unit=<unit>]",
            summary: "open a month's assessment cycle for a unit subtree: one assessment per active cadre (again: only what is missing)",
            roles: [.organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit"])
            let month = try request.month(at: 2)
            let unit = request.option("unit")
            let actor = Actor(name: requester.login, role: requester.role.rawValue)
            return .committing { records in
                let opening = try await assessments.openCycle(month: month, unit: unit, by: requester, actor: actor, auditStatements: records.statements)
                let deadlines = opening.deadlines
                let when = "self-assessment by \(deadlines.selfAssessment), review by \(deadlines.review), approval by \(deadlines.approval), closes \(deadlines.close); rules \(opening.ruleSet)"
                if opening.opened {
                    return .ok("\(opening.key) opened: \(opening.created) assessments created (\(when))")
                }
                return .ok("\(opening.key) was open already: \(opening.created) assessments created, \(opening.existing) existed (\(when))")
            }
        }
    }

    private var cycleClose: CommandSpec {
        CommandSpec(
            name: "CYCLE CLOSE", usage: "CYCLE CLOSE <YYYY-MM> [unit=<unit>]", summary: "close a month's cycle before its day: its results freeze",
            roles: [.organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit"])
            let month = try request.month(at: 2)
            let unit = request.option("unit")
            return .committing { records in
                .ok(try await assessments.closeCycle(month: month, unit: unit, by: requester, auditStatements: records.statements, idempotencyKey: records.idempotencyKey))
            }
        }
    }

    private var cycleOutstanding: CommandSpec {
        CommandSpec(
            name: "CYCLE OUTSTANDING", usage: "CYCLE OUTSTANDING <YYYY-MM> unit=<unit> yes|no",
            summary: "mark a unit outstanding for a month (its A quota is the rule set's outstanding share)", roles: [.organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit"])
            let month = try request.month(at: 2)
            let unit = try RecordCode.validate(request.option("unit"), field: "unit")
            let flag = try YesNo.parse(try request.word(3, "yes|no"), field: "outstanding")
            return .inTransaction { connection in
                .ok(try assessments.markOutstanding(month: month, unit: unit, outstanding: flag, by: requester, on: connection))
            }
        }
    }

    private var cycleStatus: CommandSpec {
        CommandSpec(
            name: "CYCLE STATUS", usage: "CYCLE STATUS <YYYY-MM> [unit=<unit>]", summary: "a month's assessments of a subtree by state, with the deadlines",
            roles: [.organizer, .manager, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit"])
            let month = try request.month(at: 2)
            let status = try await assessments.status(month: month, unit: request.option("unit"), by: requester)
            let rows = status.states.map { [$0.state, String($0.count)] }
            let d = status.deadlines
            return .table(
                DataTable(columns: ["state", "count"], rows: rows),
                text: "\(month) unit \(status.unit): cycle \(status.cycleState); \(status.total) assessments; self-assessment by \(d.selfAssessment), review by \(d.review), approval by \(d.approval), closes \(d.close)"
            )
        }
    }

    private var cycleList: CommandSpec {
        CommandSpec(name: "CYCLE LIST", usage: "CYCLE LIST [month=<YYYY-MM>]", summary: "cycles in your scope, newest first", roles: [.organizer, .manager, .viewer]) {
            (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["month"])
            let month = try request.option("month").map { try AssessmentPeriod.parseMonth($0).description }
            let cycles = try await assessments.cycles(month: month, by: requester)
            return .table(DataTable(
                columns: ["cycle", "month", "unit", "state", "rules", "closes", "assessments", "approved"],
                rows: cycles.map { [$0.key, $0.month, $0.unit, $0.state, $0.ruleSet, $0.closeOn, String($0.assessments), String($0.approved)] }
            ))
        }
    }

    private func step(_ action: AssessmentAction) -> CommandSpec {
        let usage: String
        let summary: String
        let allowed: Set<String>
        switch action {
        case .selfAssess:
            usage = "ASSESS SELF <cadre> <YYYY-MM> discipline=<0..20> duties=<0..70> [bonus=<0..10>] [note=<text>]"
            summary = "the cadre's self-assessment (a manager may enter it on the cadre's behalf)"
            allowed = ["discipline", "duties", "bonus", "note"]
        case .review:
            usage = "ASSESS REVIEW <cadre> <YYYY-MM> discipline=<0..20> duties=<0..70> [bonus=<0..10>] [comment=<text>]"
            summary = "the manager's scores and comment; total and grade are computed"
            allowed = ["discipline", "duties", "bonus", "comment"]
        case .returnForRevision:
            usage = "ASSESS RETURN <cadre> <YYYY-MM> reason=<text>"
            summary = "send an assessment back to the cadre for revision"
            allowed = ["reason"]
        case .exempt:
            usage = "ASSESS EXEMPT <cadre> <YYYY-MM> reason=<text>"
            summary = "exempt a cadre for a month (on leave): out of quotas and averages"
            allowed = ["reason"]
        case .reopen, .approve:
            usage = "ASSESS REOPEN <cadre> <YYYY-MM> reason=<text>"
            summary = "reopen an approved assessment (organizer, within the year)"
            allowed = ["reason"]
        }
        return CommandSpec(name: "ASSESS \(action.word)", usage: usage, summary: summary, roles: [.organizer, .manager, .viewer]) {
            (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(allowed)
            let cadre = try request.cadre(at: 2)
            let month = try request.month(at: 3)
            var entered: [String: String] = [:]
            for (key, value) in request.options { entered[key] = value }
            let given = entered
            return .committing { records in
                .ok(try await assessments.step(action, cadre: cadre, month: month, entered: given, by: requester, auditStatements: records.statements, idempotencyKey: records.idempotencyKey))
            }
        }
    }

    private var approve: CommandSpec {
        CommandSpec(
            name: "ASSESS APPROVE", usage: "ASSESS APPROVE <cadre> <YYYY-MM> | ASSESS APPROVE unit=<unit> <YYYY-MM>",
            summary: "the head of the unit approves one cadre or the whole unit; over the A quota nothing is approved", roles: [.manager]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit"])
            let unit = request.option("unit")
            let cadre: String?
            let month: AssessmentPeriod
            if let unit {
                _ = try RecordCode.validate(unit, field: "unit")
                cadre = nil
                month = try request.month(at: 2)
            } else {
                cadre = try request.cadre(at: 2)
                month = try request.month(at: 3)
            }
            // One cadre whose grade the quota does not limit: one engine step, group-committed
            // with others' steps. A unit, or an A: one transaction with the quota check.
            if let cadre, let record = try await assessments.approvalByStep(cadre: cadre, month: month) {
                return .committing { records in
                    .ok(try await assessments.step(.approve, cadre: cadre, month: month, entered: [:], by: requester,
                                                   auditStatements: records.statements, idempotencyKey: records.idempotencyKey, record: record))
                }
            }
            return .inTransaction { connection in
                .ok(try assessments.approve(month: month, cadre: cadre, unit: unit, by: requester, on: connection))
            }
        }
    }

    private var show: CommandSpec {
        CommandSpec(
            name: "ASSESS SHOW", usage: "ASSESS SHOW <cadre> <YYYY-MM>", summary: "one assessment: state, self and review scores, total, grade, and its steps",
            roles: [.organizer, .manager, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly([])
            let cadre = try request.cadre(at: 2)
            let month = try request.month(at: 3)
            let (record, history) = try await assessments.assessment(cadre: cadre, month: month, by: requester)
            let fields = AssessmentRows.shown(record)
            var rows = fields.map { ["field", $0.0, $0.1] }
            rows += history.map { entry in
                ["step", EngineCommands.timestamp(entry.at), "\(entry.transition): \(entry.from ?? "") -> \(entry.to) by \(entry.actor) (\(entry.role))\(entry.reason.map { "; reason: \($0)" } ?? "")"]
            }
            return .table(DataTable(columns: ["kind", "name", "value"], rows: rows), text: "\(record.key) \(record.facts.state)")
        }
    }

    private var list: CommandSpec {
        CommandSpec(
            name: "ASSESS LIST", usage: "ASSESS LIST <YYYY-MM> [unit=<unit>] [state=<state>]", summary: "a month's assessments of a subtree with their scores",
            roles: [.organizer, .manager, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["unit", "state"])
            let month = try request.month(at: 2)
            let rows = try await assessments.list(month: month, unit: request.option("unit"), state: request.option("state"), by: requester)
            return .table(DataTable(columns: AssessmentRows.listColumns, rows: rows.map(AssessmentRows.listed)))
        }
    }
}
