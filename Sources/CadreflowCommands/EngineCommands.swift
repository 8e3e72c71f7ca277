import CadreflowEngine
import CadreflowProtocol
import CadreflowRules
import CadreflowServer
import Foundation
import Synchronization

/// WORKFLOW LIST/SHOW, HISTORY, TIMER LIST, SCHEDULE LIST/RUN: the engine, inspected.
/// Engine errors render themselves (``EngineError/protocolError``).
struct EngineCommands {
    let engine: WorkflowEngine
    let scheduler: Scheduler

    /// One formatter for every row of every reply: making one costs far more than using it
    /// (TIMER LIST of 10,000 rows took 0.9 s with one per row). A formatter is not safe to
    /// use from two threads at once, hence the lock.
    private static let iso8601 = Mutex(ISO8601DateFormatter())

    /// `2024-06-01T00:05:00Z`: UTC, whole seconds.
    static func timestamp(_ date: Date) -> String {
        iso8601.withLock { $0.string(from: date) }
    }

    var all: [CommandSpec] { [
        CommandSpec(name: "WORKFLOW LIST", usage: "WORKFLOW LIST", summary: "workflow definitions with their states", roles: [.admin, .organizer]) { (_: Request, _: SessionState, _: ServerContext) async throws -> Reply in
            .table(DataTable(
                columns: ["workflow", "version", "initial", "states", "final", "transitions"],
                rows: engine.catalog.definitions.map {
                    [$0.name, String($0.version), $0.initial, $0.states.joined(separator: ","), $0.final.joined(separator: ","), String($0.transitions.count)]
                }
            ))
        },
        CommandSpec(name: "WORKFLOW SHOW", usage: "WORKFLOW SHOW <workflow>", summary: "a definition's transitions and timers", roles: [.admin, .organizer]) { (request: Request, _: SessionState, _: ServerContext) async throws -> Reply in
            let name = try request.word(2, "workflow")
            guard let definition = engine.catalog.current(name) else { throw ProtocolError(.notFound, "no workflow \(name)") }
            var rows = definition.transitions.map { transition in
                ["transition", transition.name, definition.sources(of: transition).joined(separator: ","), transition.to,
                 transition.roles.joined(separator: ","), transition.requires.joined(separator: ","),
                 [transition.guardHook.map { "guard \($0)" }, transition.effectHook.map { "effect \($0)" }].compactMap { $0 }.joined(separator: "; ")]
            }
            rows += definition.timers.map { timer in
                let when = timer.afterSeconds.map { "after \($0)s" } ?? "at \(timer.atField ?? "")\(timer.offsetSeconds == 0 ? "" : " \(timer.offsetSeconds > 0 ? "+" : "")\(timer.offsetSeconds)s")"
                return ["timer", timer.fire, timer.state, "", "system", "", when]
            }
            return .table(DataTable(columns: ["kind", "name", "from", "to", "roles", "requires", "hooks"], rows: rows))
        },
        CommandSpec(name: "HISTORY", usage: "HISTORY <instance-key>", summary: "an instance's history, oldest first", roles: [.admin, .organizer]) { (request: Request, _: SessionState, _: ServerContext) async throws -> Reply in
            let key = try request.word(1, "instance-key")
            let history = try await engine.history(.key(key))
            return .table(DataTable(
                columns: ["seq", "at", "transition", "from", "to", "actor", "role", "reason", "request"],
                rows: history.map { [String($0.seq), Self.timestamp($0.at), $0.transition, $0.from ?? "", $0.to, $0.actor, $0.role, $0.reason ?? "", $0.requestID ?? ""] }
            ))
        },
        CommandSpec(name: "TIMER LIST", usage: "TIMER LIST [limit=<n>]", summary: "timers in due order", roles: [.admin, .organizer]) { (request: Request, _: SessionState, _: ServerContext) async throws -> Reply in
            try request.allowOnly(["limit"])
            let limit = Int(request.option("limit") ?? "100") ?? -1
            guard (1...10_000).contains(limit) else { throw ProtocolError(.invalid, "limit: 1..10000") }
            let timers = try await engine.timers(limit: limit)
            return .table(DataTable(
                columns: ["id", "due", "workflow", "instance", "transition"],
                rows: timers.map { [String($0.id), Self.timestamp($0.dueAt), $0.workflow, $0.instanceKey, $0.transition] }
            ))
        },
        CommandSpec(name: "SCHEDULE LIST", usage: "SCHEDULE LIST", summary: "schedules with their last and next run", roles: [.admin, .organizer]) { (_: Request, _: SessionState, _: ServerContext) async throws -> Reply in
            let statuses = try await scheduler.status()
            return .table(DataTable(
                columns: ["schedule", "action", "last_period", "last_status", "last_run", "next_period", "next_due"],
                rows: statuses.map { status in
                    [status.schedule.name, status.schedule.action, status.lastPeriod ?? "", status.lastStatus ?? "",
                     status.lastRunAt.map(Self.timestamp) ?? "", status.next?.period ?? "", status.next.map { Self.timestamp($0.dueAt) } ?? ""]
                }
            ))
        },
        CommandSpec(name: "SCHEDULE RUN", usage: "SCHEDULE RUN <schedule> [period=<period>]", summary: "run a schedule's action now (once per period)", roles: [.admin, .organizer]) { (request: Request, _: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let name = try request.word(2, "schedule")
            try request.allowOnly(["period"])
            let period = request.option("period")
            return .committing { records in
                let run = try await scheduler.runNow(name, period: period, attachedWrites: records.statements)
                return .ok("\(run.schedule) \(run.period) \(run.status): \(run.detail)")
            }
        },
    ] }
}
