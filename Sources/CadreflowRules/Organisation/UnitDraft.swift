/// A new unit as entered (UNIT ADD, an import row), checked.
public struct UnitDraft: Sendable, Equatable {
    public var code: String
    public var name: String
    /// The parent unit; nil for a root.
    public var parent: String?
    public var kind: String
    /// The locality code (for "local" judgements of hometowns).
    public var locality: String?
    /// The first day the unit exists (nil: since before the records).
    public var validFrom: CalendarDay?

    /// Checks raw field texts by name (`name`, `parent`, `kind`, `locality`, `valid_from`).
    public init(code: String, fields: (String) -> String?) throws(DomainError) {
        func text(_ name: String) -> String? { FieldText.value(fields, name) }
        self.code = try RecordCode.validate(code, field: "unit")
        guard let name = text("name") else { throw DomainError.invalid("name", "required") }
        guard name.count <= 500 else { throw DomainError.invalid("name", "at most 500 characters") }
        self.name = name
        parent = try text("parent").map { (value: String) throws(DomainError) in try RecordCode.validate(value, field: "parent") }
        if parent == code { throw DomainError.invalid("parent", "a unit cannot be its own parent") }
        kind = text("kind") ?? "unit"
        locality = text("locality")
        validFrom = try CalendarDay.parse(text("valid_from"), field: "valid_from")
    }
}
