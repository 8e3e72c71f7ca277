/// A change of the unit tree on a date by a decision: how reorganisations are recorded.
///
/// - merge: the predecessors stop existing on `date`; the successor (existing, or new
///   from that date) takes over their cadres.
/// - split: the predecessor stops existing on `date`; its parts go to the successors,
///   its cadres to the first successor named (move others beforehand with CADRE MOVE).
/// - rename: the unit carries a new name from `date`.
/// - close: the unit stops existing on `date`; cadres still in it move to `into`
///   (required when it has any).
///
/// A unit may feed several successors (part of a commune into each of two new wards):
/// its cadres follow the first event that names it, its lineage records every one.
public struct LineageEvent: Sendable, Equatable {
    /// The kinds of change.
    public enum Kind: String, Sendable, CaseIterable {
        case merge, split, rename, close
    }

    public var kind: Kind
    /// The units that stop existing (merge: several; split, close: one; rename: none).
    public var predecessors: [String]
    /// The units that carry on (merge: one; split: several; close: the one its cadres go to, if any).
    public var successors: [String]
    /// For a rename: the unit renamed.
    public var renamed: String?
    /// For a rename: the new name.
    public var newName: String?
    /// The day the change takes effect (the first day of the new state).
    public var date: CalendarDay
    /// The decision that made it (number and date, free text).
    public var decision: String

    /// The unit the event is about, for messages.
    public var subject: String {
        switch kind {
        case .merge: return successors.first ?? ""
        case .split, .close: return predecessors.first ?? ""
        case .rename: return renamed ?? ""
        }
    }

    /// Every unit the event names.
    public var units: [String] {
        predecessors + successors + (renamed.map { [$0] } ?? [])
    }

    /// Checks an event from its kind and raw field texts: `code` (the subject), `from`
    /// and `into` (`;`- or `,`-separated codes), `name`, `date`, `decision`.
    public init(kind: Kind, fields: (String) -> String?) throws(DomainError) {
        func text(_ name: String) -> String? { FieldText.value(fields, name) }
        func codes(_ name: String) throws(DomainError) -> [String] {
            guard let list = text(name) else { return [] }
            var seen = Set<String>()
            var result: [String] = []
            for item in list.split(whereSeparator: { $0 == ";" || $0 == "," }) {
                let code = try RecordCode.validate(item.description.trimmingSpaces, field: name)
                guard seen.insert(code).inserted else { throw DomainError.invalid(name, "\(code) is named twice") }
                result.append(code)
            }
            return result
        }
        self.kind = kind
        guard let dateText = text("date") else { throw DomainError.invalid("date", "required") }
        guard let date = CalendarDay(dateText) else { throw DomainError.invalid("date", "\(dateText) is not a date YYYY-MM-DD") }
        self.date = date
        guard let decision = text("decision") else { throw DomainError.invalid("decision", "required (the decision's number and date)") }
        self.decision = decision
        let subject = try RecordCode.validate(text("code"), field: "code")
        renamed = nil
        newName = nil
        switch kind {
        case .merge:
            predecessors = try codes("from")
            successors = [subject]
            guard !predecessors.isEmpty else { throw DomainError.invalid("from", "a merge needs at least one predecessor") }
            guard !predecessors.contains(subject) else { throw DomainError.invalid("from", "\(subject) cannot merge into itself") }
        case .split:
            predecessors = [subject]
            successors = try codes("into")
            guard !successors.isEmpty else { throw DomainError.invalid("into", "a split needs at least one successor") }
            guard !successors.contains(subject) else { throw DomainError.invalid("into", "\(subject) cannot split into itself") }
        case .rename:
            predecessors = []
            successors = []
            renamed = subject
            guard let name = text("name") else { throw DomainError.invalid("name", "required: the new name") }
            newName = name
        case .close:
            predecessors = [subject]
            successors = try codes("into")
            guard successors.count <= 1 else { throw DomainError.invalid("into", "a closed unit's cadres go to one unit") }
            guard !successors.contains(subject) else { throw DomainError.invalid("into", "\(subject) cannot close into itself") }
        }
    }
}
