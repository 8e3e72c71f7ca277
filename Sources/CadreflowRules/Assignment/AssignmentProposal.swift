/// An assignment as ROTATION PROPOSE gives it, checked for its own consistency: the kind,
/// the receiving unit, the start, the length (none for a transfer), the new position.
public struct AssignmentProposal: Sendable, Equatable {
    /// The cadre moved.
    public var cadre: String
    /// The kind.
    public var kind: AssignmentKind
    /// The receiving unit.
    public var toUnit: String
    /// The first day in the receiving unit.
    public var start: CalendarDay
    /// The length in months (nil for a transfer: for good).
    public var months: Int?
    /// The position held there (nil: the current one).
    public var position: String?
    /// Why.
    public var reason: String?

    /// A proposal from its parts.
    public init(cadre: String, kind: AssignmentKind, toUnit: String, start: CalendarDay, months: Int?, position: String?, reason: String?) {
        self.cadre = cadre
        self.kind = kind
        self.toUnit = toUnit
        self.start = start
        self.months = months
        self.position = position
        self.reason = reason
    }

    /// The day after the last day (nil for a transfer).
    public var end: CalendarDay? { months.map { start.adding(months: $0) } }

    /// The proposal of ROTATION PROPOSE's words and options; each bad value names its field.
    public static func parse(cadre: String, options: [String: String]) throws(DomainError) -> AssignmentProposal {
        let cadre = try RecordCode.validate(cadre, field: "cadre")
        guard let kindText = FieldText.value({ options[$0] }, "kind") else {
            throw DomainError.invalid("kind", "required: rotation, transfer, secondment or position-change")
        }
        guard let kind = try Choice.parse(kindText.lowercased(), field: "kind") as AssignmentKind? else { throw DomainError.invalid("kind", "required") }
        let to = try RecordCode.validate(FieldText.value({ options[$0] }, "to"), field: "to")
        guard let start = try CalendarDay.parse(FieldText.value({ options[$0] }, "start"), field: "start") else {
            throw DomainError.invalid("start", "required: the first day in the receiving unit, YYYY-MM-DD")
        }
        var months: Int?
        if let text = FieldText.value({ options[$0] }, "months") {
            guard let value = Int(text), (1...600).contains(value) else { throw DomainError.invalid("months", "a whole number of months 1–600, not \(text)") }
            months = value
        }
        switch kind {
        case .transfer:
            if months != nil { throw DomainError.invalid("months", "a transfer is for good: it has no end date") }
        case .rotation, .secondment, .positionChange:
            if months == nil { throw DomainError.invalid("months", "required for a \(kind.rawValue): its length in months") }
        }
        let position = FieldText.value({ options[$0] }, "position")
        if let position, position.count > 200 { throw DomainError.invalid("position", "at most 200 characters") }
        return AssignmentProposal(cadre: cadre, kind: kind, toUnit: to, start: start, months: months, position: position, reason: FieldText.value({ options[$0] }, "reason"))
    }
}
