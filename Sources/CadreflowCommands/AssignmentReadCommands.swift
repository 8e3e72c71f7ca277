import CadreflowDomain
import CadreflowProtocol
import CadreflowRules
import CadreflowServer

/// ROTATION SHOW, ROTATION LIST, REPORT ROTATIONS and REPORT NONLOCAL.
struct AssignmentReadCommands {
    let assignments: AssignmentService

    var all: [CommandSpec] { [show, list, rotations, nonlocal] }

    private var show: CommandSpec {
        CommandSpec(
            name: "ROTATION SHOW", usage: "ROTATION SHOW <id>", summary: "an assignment's fields, then its steps", roles: [.organizer, .manager, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly([])
            let (state, data, history) = try await assignments.show(try request.word(2, "id"), by: requester)
            var rows = [["field", "state", state]] + data.sorted { $0.key < $1.key }.map { ["field", $0.key, $0.value] }
            rows += history.map { ["step", $0.transition, "\($0.to) by \($0.actor) (\($0.role))\($0.reason.map { ": \($0)" } ?? "")"] }
            return .table(DataTable(columns: ["kind", "name", "value"], rows: rows))
        }
    }

    private static func days(_ request: Request, _ key: String) throws(DomainError) -> Int? {
        guard let text = request.option(key) else { return nil }
        guard let days = Int(text), (0...3_650).contains(days) else { throw DomainError.invalid(key, "a number of days 0–3650, not \(text)") }
        return days
    }

    private var list: CommandSpec {
        CommandSpec(
            name: "ROTATION LIST", usage: "ROTATION LIST [state=<s>] [kind=<k>] [ending_within=<days>]",
            summary: "assignments from or to your scope, by start date", roles: [.organizer, .manager, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["state", "kind", "ending_within"])
            let lines = try await assignments.list(
                state: request.option("state"), kind: request.option("kind"), endingWithin: try Self.days(request, "ending_within"), by: requester
            )
            return .table(DataTable(
                columns: ["id", "cadre", "name", "kind", "from", "to", "start", "end", "state", "decision"],
                rows: lines.map { [$0.id, $0.cadre, $0.name, $0.kind, $0.fromUnit, $0.toUnit, $0.start, $0.end, $0.state, $0.decision] }
            ))
        }
    }

    static let states = ["proposed", "checked", "approved", "in_effect", "extended", "evaluation_due", "evaluated", "completed", "rejected", "cancelled"]

    private var rotations: CommandSpec {
        CommandSpec(
            name: "REPORT ROTATIONS", usage: "REPORT ROTATIONS [ending_within=<days>]",
            summary: "assignments by kind and state, ending within N days (default 90), evaluations overdue", roles: [.organizer, .manager, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["ending_within"])
            let window = try Self.days(request, "ending_within") ?? 90
            let counts = try await assignments.report(endingWithin: window, by: requester)
            var total = RotationCounts(kind: "(total)")
            for line in counts {
                for (state, count) in line.states { total.states[state, default: 0] += count }
                total.endingSoon += line.endingSoon
                total.evaluationOverdue += line.evaluationOverdue
            }
            let rows = (counts + [total]).map { line in
                [line.kind] + Self.states.map { String(line.states[$0] ?? 0) } + [String(line.endingSoon), String(line.evaluationOverdue)]
            }
            return .table(DataTable(columns: ["kind"] + Self.states + ["ending_within_\(window)_days", "evaluation_overdue"], rows: rows))
        }
    }

    private var nonlocal: CommandSpec {
        CommandSpec(
            name: "REPORT NONLOCAL", usage: "REPORT NONLOCAL position=<text> [unit=<unit>] [locale=vi]",
            summary: "holders of a post whose hometown is outside their unit's locality (lineage counts), per child unit",
            roles: [.organizer, .viewer]
        ) { (request: Request, session: SessionState, _: ServerContext) async throws -> Reply in
            let requester = try session.requireAccount().requester
            try request.allowOnly(["position", "unit", "locale"])
            let locale = try ReportNumbers.locale(request.option("locale"))
            let position = request.option("position") ?? ""
            let (unit, lines) = try await assignments.nonlocal(position: position, unit: request.option("unit"), by: requester)
            var total = NonlocalLine(unit: "(total)", name: locale == .vi ? "Tổng cộng" : "all units")
            for line in lines { total.add(line) }
            func share(_ line: NonlocalLine) -> String {
                ReportNumbers.percent(hundredths: ReportNumbers.share(line.nonlocal, of: line.holders - line.unknown, per: 100), locale)
            }
            let rows = (lines + [total]).map { line in
                [line.unit, line.name, ReportNumbers.count(line.holders, locale), ReportNumbers.count(line.nonlocal, locale), ReportNumbers.count(line.unknown, locale), share(line)]
            }
            let known = total.holders - total.unknown
            let text = locale == .vi
                ? "\(unit): \(total.nonlocal)/\(known) \(position) không phải người địa phương (\(share(total)))"
                : "\(unit): \(total.nonlocal)/\(known) holders of \(position) are not local (\(share(total)))"
            return .table(DataTable(columns: ["unit", "name", "holders", "nonlocal", "hometown_unknown", "nonlocal_share"], rows: rows), text: text)
        }
    }
}
