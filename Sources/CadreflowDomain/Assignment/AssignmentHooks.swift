import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

/// The hooks the assignment definition names, run inside the transition's transaction:
/// the checks on proposal and on extension (each failure a ``DomainError`` naming the rule
/// and the figures, which the command replies), and the cadre's moves when the assignment
/// takes effect and when it completes.
enum AssignmentHooks {
    static func hooks(policy: AssignmentPolicy, retirement: RetirementSchedule) -> WorkflowHooks {
        WorkflowHooks(
            guards: [
                "assignment.rules_hold": { context in try check(context, months: context.instance?.data["months"], policy: policy, retirement: retirement) },
                "assignment.extension_allowed": { context in try check(context, months: context.fields["months"], policy: policy, retirement: retirement) },
            ],
            effects: [
                "assignment.move_cadre": takeEffect,
                "assignment.return_or_keep": returnOrKeep,
            ]
        )
    }

    /// The instance's data and id.
    private static func assignment(_ context: HookContext) throws -> (id: String, data: [String: String]) {
        guard let instance = context.instance, instance.key.hasPrefix("assignment/") else {
            throw DomainError(.invalid, "assignment transitions move one assignment at a time")
        }
        return (String(instance.key.dropFirst("assignment/".count)), instance.data)
    }

    /// The rules of the kind for a length of `months`, the receiving unit on the start
    /// date, and no other live assignment of the cadre overlapping.
    private static func check(_ context: HookContext, months text: String?, policy: AssignmentPolicy, retirement: RetirementSchedule) throws {
        let (id, data) = try assignment(context)
        guard let kind = data["kind"].flatMap(AssignmentKind.init(rawValue:)), let cadre = data["cadre"], let to = data["to_unit"],
              let start = data["start_date"].flatMap({ CalendarDay($0) }) else {
            throw DomainError(.invalid, "\(id): the assignment's data is incomplete")
        }
        let months = text.flatMap { Int($0) }
        guard let row = try context.connection.query(
            // Locked: two proposals or extensions for one cadre take turns, so neither misses the other.
            "SELECT unit_code, planning, born::text, sex, pregnant, child_born::text, status FROM cadres WHERE code = $1 FOR UPDATE", cadre
        ).rows.first else {
            throw DomainError(.notFound, "cadre \(cadre) does not exist", field: "cadre")
        }
        // The sending unit is where the cadre was when proposed (the data), not where a
        // running assignment has put them meanwhile.
        let current: String = try row.decode(0)
        let facts = AssignmentCheck.Facts(
            fromUnit: data["from_unit"] ?? current, planning: try row.decode(1), born: try row.day(2),
            sex: try row.decode(3, as: String?.self).flatMap(Sex.init(rawValue:)), pregnant: try row.decode(4), childBorn: try row.day(5),
            status: CadreStatus(rawValue: try row.decode(6)) ?? .active
        )
        if let violation = AssignmentCheck.violation(kind: kind, toUnit: to, start: start, months: months, facts: facts, policy: policy, retirement: retirement) {
            throw violation
        }
        do {
            try OrganisationService.requireOpen(to, on: start, connection: context.connection)
        } catch let error as DomainError {
            throw DomainError(error.code, "\(error.message): the receiving unit must exist on the start date \(start)", field: "to")
        }
        let end = months.map { start.adding(months: $0) }
        if let other = try context.connection.query(
            """
            SELECT substr(key, 12), data->>'kind', data->>'start_date', coalesce(data->>'end_date', 'for good'), state FROM workflow_instances
            WHERE workflow = 'assignment' AND data->>'cadre' = $1 AND key <> $2 AND state NOT IN ('rejected', 'cancelled', 'completed')
              AND daterange((data->>'start_date')::date, coalesce((data->>'end_date')::date, (data->>'start_date')::date + 1))
                  && daterange($3::date, coalesce($4::date, $3::date + 1))
            ORDER BY data->>'start_date' LIMIT 1
            """,
            cadre, AssignmentService.key(id), start, end
        ).rows.first {
            let otherID: String = try other.decode(0)
            let otherKind: String = try other.decode(1)
            let otherStart: String = try other.decode(2)
            let otherEnd: String = try other.decode(3)
            let otherState: String = try other.decode(4)
            throw DomainError(
                .conflict, "\(cadre) has \(otherID) (\(otherKind) \(otherStart) to \(otherEnd), \(otherState)) at the same time: assignments of one cadre may not overlap",
                field: "start"
            )
        }
    }

    /// On the start date: the cadre's working unit (and position, when a new one is given)
    /// become the receiving unit's, with a work-history entry naming the assignment.
    static let takeEffect: WorkflowHooks.Effect = { context in
        let (id, data) = try assignment(context)
        guard let cadre = data["cadre"], let from = data["from_unit"], let to = data["to_unit"], let start = data["start_date"].flatMap({ CalendarDay($0) }) else {
            throw DomainError(.invalid, "\(id): the assignment's data is incomplete")
        }
        let current = try context.connection.query("SELECT unit_code FROM cadres WHERE code = $1 FOR UPDATE", cadre).scalar(String.self)
        guard current == from else {
            throw DomainError(.conflict, "\(cadre) works in \(current ?? "no unit") now, not in the sending unit \(from)")
        }
        try OrganisationService.requireOpen(to, on: start, connection: context.connection)
        try OrganisationService.moveCadres(
            .cadres([cadre]), to: to, on: start, position: data["position"], level: nil,
            reason: "\(data["kind"] ?? "assignment") \(id): \(data["decision"] ?? "")", by: context.actor.name, connection: context.connection
        )
    }

    /// COMPLETE: `return` brings the cadre back to the sending unit and former position
    /// today; `stay` leaves them where they are, for good.
    static let returnOrKeep: WorkflowHooks.Effect = { context in
        let (id, data) = try assignment(context)
        guard context.fields["outcome"] == "return" else { return }
        guard let cadre = data["cadre"], let from = data["from_unit"], let to = data["to_unit"] else {
            throw DomainError(.invalid, "\(id): the assignment's data is incomplete")
        }
        let current = try context.connection.query("SELECT unit_code FROM cadres WHERE code = $1 FOR UPDATE", cadre).scalar(String.self)
        guard current == to else {
            throw DomainError(.conflict, "\(cadre) works in \(current ?? "no unit") now, not in \(to): a later move would be undone; complete with outcome=stay", field: "outcome")
        }
        let day = context.fields["completed_on"].flatMap { CalendarDay($0) } ?? CalendarDay(context.now, timeZone: context.engine.timeZone)
        try OrganisationService.requireOpen(from, on: day, connection: context.connection)
        try OrganisationService.moveCadres(
            .cadres([cadre]), to: from, on: day, position: data["from_position"], level: nil,
            reason: "back from \(data["kind"] ?? "assignment") \(id)", by: context.actor.name, connection: context.connection
        )
    }
}
