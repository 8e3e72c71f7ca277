import CadreflowPostgres
import CadreflowRules

extension OrganisationService {
    /// Records a reorganisation step (see ``LineageEvent``): checks that every unit named
    /// exists and lies in scope, that predecessors existed up to the day before and
    /// successors exist on the day, and that no unit under a predecessor outlives it; then
    /// writes the event and its lineage, closes the predecessors and moves their cadres
    /// with a work-history entry. Returns a one-line summary.
    public func record(_ event: LineageEvent, by requester: Requester, on connection: PostgresConnection) throws -> String {
        try apply(event, by: requester, on: connection).summary
    }

    /// Records a step; returns its summary and how many cadres it moved.
    func apply(_ event: LineageEvent, by requester: Requester, on connection: PostgresConnection) throws -> (summary: String, moved: Int) {
        guard event.date <= calendar.currentDay() else {
            throw DomainError.invalid("date", "\(event.date) is in the future: record a change on or after the day it takes effect")
        }
        let codes = event.units
        let rows = try connection.query(
            "SELECT code, path, valid_from::text, valid_to::text, name FROM units WHERE code = ANY($1::text[]) ORDER BY code FOR UPDATE", codes
        ).rows
        var units: [String: (path: String, from: CalendarDay?, to: CalendarDay?, name: String)] = [:]
        for row in rows { units[try row.decode(0)] = (try row.decode(1), try row.day(2), try row.day(3), try row.decode(4)) }
        for code in codes {
            guard let unit = units[code] else { throw DomainError(.notFound, "unit \(code) does not exist") }
            try requester.requireCovers(unit: code, path: unit.path)
        }
        let day = event.date
        for code in event.predecessors {
            guard let unit = units[code] else { continue }
            if let from = unit.from, from >= day { throw DomainError(.conflict, "unit \(code) exists only from \(from), so it cannot end on \(day)") }
            if let to = unit.to, to != day { throw DomainError(.conflict, "unit \(code) closed on \(to) already") }
        }
        for code in event.successors + (event.renamed.map { [$0] } ?? []) {
            guard let unit = units[code] else { continue }
            if let from = unit.from, from > day { throw DomainError(.conflict, "unit \(code) exists only from \(from), after \(day)") }
            if let to = unit.to { throw DomainError(.conflict, "unit \(code) closed on \(to)") }
        }
        if !event.predecessors.isEmpty, let child = try connection.query(
            """
            SELECT code, parent_code FROM units WHERE parent_code = ANY($1::text[]) AND (valid_to IS NULL OR valid_to > $2) AND NOT code = ANY($3::text[])
            ORDER BY code LIMIT 1
            """,
            event.predecessors, day, event.successors
        ).rows.first {
            let name: String = try child.decode(0)
            let parent: String = try child.decode(1)
            throw DomainError(.conflict, "unit \(parent) still has \(name) under it after \(day): merge or close \(name) first")
        }
        var oldName: String?
        if let renamed = event.renamed { oldName = units[renamed]?.name }
        let eventID = try connection.query(
            """
            INSERT INTO unit_events (kind, subject, effective, decision, old_name, new_name, recorded_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
            """,
            event.kind.rawValue, event.subject, day, event.decision, oldName, event.newName, requester.login
        ).scalar(Int64.self) ?? 0
        let links = event.predecessors.flatMap { predecessor in event.successors.map { (predecessor, $0) } }
        if !links.isEmpty {
            try connection.query(
                "INSERT INTO unit_lineage (event_id, predecessor, successor) SELECT $1, p, s FROM unnest($2::text[], $3::text[]) AS x(p, s)",
                eventID, links.map(\.0), links.map(\.1)
            )
        }
        if let renamed = event.renamed, let newName = event.newName {
            try connection.query("UPDATE units SET name = $2 WHERE code = $1", renamed, newName)
            return ("\(renamed) renamed \(oldName ?? "") → \(newName) from \(day)", 0)
        }
        try connection.query("UPDATE units SET valid_to = $2 WHERE code = ANY($1::text[]) AND valid_to IS NULL", event.predecessors, day)
        let reason = "\(event.kind.rawValue): \(event.decision)"
        var moved = 0
        if let target = event.successors.first {
            moved = try Self.moveCadres(.everyoneIn(event.predecessors), to: target, on: day, position: nil, level: nil, reason: reason, by: requester.login, connection: connection)
        } else {
            let left = try connection.query(
                "SELECT count(*) FROM cadres WHERE unit_code = ANY($1::text[]) AND status <> 'retired'", event.predecessors
            ).scalar(Int.self) ?? 0
            guard left == 0 else {
                throw DomainError(.conflict, "\(event.subject) has \(left) cadres: name the unit they move to with into=<unit>, or move them first")
            }
        }
        let summary: String
        switch event.kind {
        case .merge: summary = "\(event.predecessors.joined(separator: ",")) merged into \(event.subject) on \(day); \(moved) cadres moved"
        case .split: summary = "\(event.subject) split into \(event.successors.joined(separator: ",")) on \(day); \(moved) cadres moved to \(event.successors.first ?? "")"
        case .close: summary = "\(event.subject) closed on \(day)\(event.successors.first.map { "; \(moved) cadres moved to \($0)" } ?? "")"
        case .rename: summary = "\(event.subject) renamed on \(day)"
        }
        return (summary, moved)
    }
}
