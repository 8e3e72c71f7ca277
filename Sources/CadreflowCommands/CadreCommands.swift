import CadreflowDomain
import CadreflowPostgres
import CadreflowProtocol
import CadreflowRules
import CadreflowServer

/// CADRE ADD, SHOW, LIST, MOVE, HISTORY, STATUS, DISCIPLINE.
struct CadreCommands {
    let organisation: OrganisationService

    static let profileOptions: Set<String> = [
        "name", "unit", "position", "level", "hometown", "born", "sex", "party_since", "planning", "status", "leave_from", "leave_until",
        "pregnant", "child_born", "since",
    ]

    var all: [CommandSpec] { [add, show, list, move, history, status, discipline] }

    private var add: CommandSpec {
        CommandSpec(
            name: "CADRE ADD",
            usage: "CADRE ADD <cadre> name=<text> unit=<unit> [position=<text>] [level=head|deputy|staff] [hometown=<code>] [born=<date>] [sex=m|f] [party_since=<date>] [planning=yes|no] [status=active|on_leave|retired] [leave_from=<date>] [leave_until=<date>] [pregnant=yes|no] [child_born=<date>] [since=<date>]",
            summary: "add a cadre to a unit in your scope", roles: [.admin, .organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            try request.allowOnly(Self.profileOptions)
            let profile = try CadreProfile(code: try request.word(2, "cadre"), fields: request.option)
            return .inTransaction { connection in
                try organisation.addCadre(profile, by: requester, on: connection)
                return .ok(profile.code)
            }
        }
    }

    private var show: CommandSpec {
        CommandSpec(name: "CADRE SHOW", usage: "CADRE SHOW <cadre>", summary: "one cadre, with leave, secondment facts and retirement day", roles: Set(Role.allCases)) {
            (request: Request, session: SessionState, _: ServerContext) throws -> PostgresRead<Reply> in
            organisation.cadreRead(try request.word(2, "cadre"), by: try session.requireAccount().requester).map { cadre in
                .table(DataTable(columns: TableRows.cadreDetailColumns, rows: [TableRows.cadreDetail(cadre)]))
            }
        }
    }

    private var list: CommandSpec {
        CommandSpec(name: "CADRE LIST", usage: "CADRE LIST [unit=<unit>]", summary: "cadres of a unit's subtree (your scope by default)", roles: Set(Role.allCases)) {
            (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            try request.allowOnly(["unit"])
            let cadres = try await organisation.cadres(in: request.option("unit"), by: try session.requireAccount().requester)
            return .table(DataTable(columns: TableRows.cadreColumns, rows: cadres.map(TableRows.cadre)))
        }
    }

    private var move: CommandSpec {
        CommandSpec(
            name: "CADRE MOVE", usage: "CADRE MOVE <cadre> unit=<unit> [date=<date>] [position=<text>] [level=head|deputy|staff] [reason=<text>]",
            summary: "move a cadre to another unit (both in your scope), with a work-history entry", roles: [.admin, .organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            let code = try request.word(2, "cadre")
            try request.allowOnly(["unit", "reason", "date", "position", "level"])
            let target = try RecordCode.validate(request.option("unit"), field: "unit")
            let date = try CalendarDay.parse(request.option("date"), field: "date")
            let level: CadreLevel? = try Choice.parse(request.option("level"), field: "level")
            let position = request.option("position")
            let reason = request.option("reason")
            return .inTransaction { connection in
                let from = try organisation.moveCadre(code, to: target, on: date, position: position, level: level, reason: reason, by: requester, on: connection)
                return .ok("\(code) \(from) -> \(target)")
            }
        }
    }

    private var history: CommandSpec {
        CommandSpec(name: "CADRE HISTORY", usage: "CADRE HISTORY <cadre>", summary: "where a cadre worked, in which post, when and why; then discipline", roles: Set(Role.allCases)) {
            (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let code = try request.word(2, "cadre")
            let requester = try session.requireAccount().requester
            let entries = try await organisation.history(of: code, by: requester)
            let measures = try await organisation.discipline(of: code, by: requester)
            let rows = entries.map { ["work", $0.from.description, $0.to?.description ?? "", $0.unit, $0.unitName, $0.position ?? "", $0.level, $0.reason] }
                + measures.map { ["discipline", $0.decidedOn.description, "", "", "", $0.form, String($0.year), $0.decision] }
            return .table(DataTable(columns: ["entry", "from", "to", "unit", "unit_name", "position", "level", "reason"], rows: rows))
        }
    }

    private var status: CommandSpec {
        CommandSpec(
            name: "CADRE STATUS", usage: "CADRE STATUS <cadre> status=active|on_leave|retired [from=<date>] [until=<date>]",
            summary: "set a cadre's status (leave with its dates)", roles: [.admin, .organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            let code = try request.word(2, "cadre")
            try request.allowOnly(["status", "from", "until"])
            guard let status: CadreStatus = try Choice.parse(request.option("status"), field: "status") else { throw DomainError.invalid("status", "required") }
            let from = try CalendarDay.parse(request.option("from"), field: "from")
            let until = try CalendarDay.parse(request.option("until"), field: "until")
            return .inTransaction { connection in
                try organisation.setStatus(code, status: status, from: from, until: until, by: requester, on: connection)
                return .ok("\(code) \(status.rawValue)")
            }
        }
    }

    private var discipline: CommandSpec {
        CommandSpec(
            name: "CADRE DISCIPLINE", usage: "CADRE DISCIPLINE <cadre> year=<yyyy> form=reprimand|warning|removal_from_post|dismissal decision=<text> date=<date>",
            summary: "record a disciplinary measure (a disciplined year grades D)", roles: [.admin, .organizer]
        ) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let requester = try session.requireAccount().requester
            let code = try request.word(2, "cadre")
            try request.allowOnly(["year", "form", "decision", "date"])
            guard let year = Int(try request.required("year")), (1945...9999).contains(year) else { throw DomainError.invalid("year", "a year like 2025") }
            guard let form: DisciplineForm = try Choice.parse(request.option("form"), field: "form") else { throw DomainError.invalid("form", "required") }
            let decision = try request.required("decision")
            guard let date = try CalendarDay.parse(try request.required("date"), field: "date") else { throw DomainError.invalid("date", "required") }
            return .inTransaction { connection in
                try organisation.addDiscipline(code, year: year, form: form, decision: decision, decidedOn: date, by: requester, on: connection)
                return .ok("\(code) \(form.rawValue) \(year)")
            }
        }
    }
}
