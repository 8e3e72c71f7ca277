import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation

extension AssignmentService {
    /// ROTATION PROPOSE: the proposal is recorded and checked at once (``AssignmentHooks``):
    /// a proposal that breaks a rule is refused, naming the rule and the figures, and
    /// nothing is kept. Returns the new assignment's id and what it is.
    public func propose(_ proposal: AssignmentProposal, by requester: Requester, on connection: PostgresConnection) throws -> (id: String, summary: String) {
        guard let cadre = try connection.query(
            "SELECT unit_code, position FROM cadres WHERE code = $1 FOR UPDATE", proposal.cadre
        ).rows.first else {
            throw DomainError(.notFound, "cadre \(proposal.cadre) does not exist", field: "cadre")
        }
        let from: String = try cadre.decode(0)
        let position: String? = try cadre.decode(1)
        do {
            try OrganisationService.requireScope([from, proposal.toUnit], by: requester, on: connection)
        } catch let error as DomainError where error.code == .notFound {
            throw DomainError(.notFound, error.message, field: "to")
        }
        let today = calendar.currentDay()
        guard proposal.start >= today else {
            throw DomainError.invalid("start", "\(proposal.start) is in the past (today is \(today)): an assignment starts today or later")
        }
        let number = try connection.query("UPDATE assignment_numbers SET last = last + 1 RETURNING last").scalar(Int64.self) ?? 0
        let id = "A\(number)"
        var data = [
            "cadre": proposal.cadre, "kind": proposal.kind.rawValue, "from_unit": from, "to_unit": proposal.toUnit,
            "start_date": proposal.start.description, "proposed_by": requester.login,
        ]
        if let months = proposal.months, let end = proposal.end {
            data["months"] = String(months)
            data["end_date"] = end.description
        }
        if let new = proposal.position { data["position"] = new }
        if let position { data["from_position"] = position }
        if let reason = proposal.reason { data["reason"] = reason }
        if proposal.kind == .secondment { data["payroll_unit"] = from }
        let engine = self.engine.on(connection)
        try engine.create(workflow: Self.workflow, key: Self.key(id), data: data, actor: Self.actor(requester))
        try engine.move(.key(Self.key(id)), transition: "check", actor: Self.actor(requester))
        let length = proposal.end.map { "\(proposal.start) to \($0) (\(proposal.months ?? 0) months)" } ?? "from \(proposal.start), for good"
        return (id, "\(id) checked: \(proposal.kind.rawValue) of \(proposal.cadre) from \(from) to \(proposal.toUnit), \(length)")
    }

    /// ROTATION APPROVE: the decision (number and date, default today); on the start date
    /// the engine's timer makes it take effect.
    public func approve(_ id: String, decision: String?, date: String?, by requester: Requester, on connection: PostgresConnection) throws -> String {
        let decision = try Self.required(decision, "decision", "the decision's number, e.g. \"QĐ 45/QĐ-TU\"")
        let today = calendar.currentDay()
        let day = try CalendarDay.parse(date, field: "date") ?? today
        guard day <= today else { throw DomainError.invalid("date", "\(day) is in the future") }
        let assignment = try assignment(id, by: requester, on: connection, locking: true)
        let moved = try engine.on(connection).move(
            .key(Self.key(assignment.id)), transition: "approve", actor: Self.actor(requester), fields: ["decision": decision, "decision_date": day.description],
            expectedVersion: assignment.version
        )
        let start = assignment.data["start_date"] ?? ""
        return "\(assignment.id) \(moved.state): \(decision) of \(day); takes effect on \(start)"
    }

    /// ROTATION REJECT and ROTATION CANCEL: with a reason (cancel only before it takes effect).
    public func end(_ id: String, transition: String, reason: String?, by requester: Requester, on connection: PostgresConnection) throws -> String {
        let reason = try Self.required(reason, "reason", "say why")
        let assignment = try assignment(id, by: requester, on: connection, locking: true)
        let moved = try engine.on(connection).move(
            .key(Self.key(assignment.id)), transition: transition, actor: Self.actor(requester), reason: reason, expectedVersion: assignment.version
        )
        return "\(assignment.id) \(moved.state)"
    }

    /// ROTATION EXTEND: a later end date by `months`, checked again (a secondment's whole
    /// length stays within its limit; no other assignment of the cadre may overlap).
    public func extend(_ id: String, months text: String?, by requester: Requester, on connection: PostgresConnection) throws -> String {
        let text = try Self.required(text, "months", "how many months to add")
        guard let added = Int(text), (1...600).contains(added) else { throw DomainError.invalid("months", "a whole number of months 1–600, not \(text)") }
        let assignment = try assignment(id, by: requester, on: connection, locking: true)
        guard let old = assignment.data["months"].flatMap({ Int($0) }), let start = assignment.data["start_date"].flatMap({ CalendarDay($0) }) else {
            throw DomainError(.conflict, "\(assignment.id) is a transfer: it has no end date to extend")
        }
        let total = old + added
        let end = start.adding(months: total)
        let moved = try engine.on(connection).move(
            .key(Self.key(assignment.id)), transition: "extend", actor: Self.actor(requester),
            fields: ["months": String(total), "end_date": end.description, "extended_by": String(added)], expectedVersion: assignment.version
        )
        return "\(assignment.id) \(moved.state): now \(total) months, until \(end)"
    }

    /// ROTATION EVALUATE: the receiving unit's evaluation, once it is due.
    public func evaluate(_ id: String, result: String?, by requester: Requester, on connection: PostgresConnection) throws -> String {
        let result = try Self.required(result, "result", "the receiving unit's evaluation")
        let assignment = try assignment(id, by: requester, on: connection, locking: true)
        let moved = try engine.on(connection).move(
            .key(Self.key(assignment.id)), transition: "evaluate", actor: Self.actor(requester), fields: ["result": result, "evaluated_by": requester.login],
            expectedVersion: assignment.version
        )
        return "\(assignment.id) \(moved.state)"
    }

    /// ROTATION COMPLETE: `return` brings the cadre back to the sending unit (and former
    /// position) today; `stay` keeps them in the receiving unit for good.
    public func complete(_ id: String, outcome text: String?, by requester: Requester, on connection: PostgresConnection) throws -> String {
        let outcome = try Self.required(text, "outcome", "return or stay").lowercased()
        guard outcome == "return" || outcome == "stay" else { throw DomainError.invalid("outcome", "return or stay, not \(outcome)") }
        let assignment = try assignment(id, by: requester, on: connection, locking: true)
        if assignment.kind == .transfer, outcome == "return" {
            throw DomainError.invalid("outcome", "a transfer is for good: complete it with outcome=stay")
        }
        let moved = try engine.on(connection).move(
            .key(Self.key(assignment.id)), transition: "complete", actor: Self.actor(requester),
            fields: ["outcome": outcome, "completed_on": calendar.currentDay().description], expectedVersion: assignment.version
        )
        let cadre = assignment.data["cadre"] ?? ""
        return outcome == "return"
            ? "\(assignment.id) \(moved.state): \(cadre) is back in \(assignment.data["from_unit"] ?? "")"
            : "\(assignment.id) \(moved.state): \(cadre) stays in \(assignment.data["to_unit"] ?? "") for good"
    }
}
