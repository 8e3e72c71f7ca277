/// A cadre's rank in a unit.
public enum CadreLevel: String, Sendable, CaseIterable {
    case head, deputy, staff
}

/// A cadre's sex as recorded (it decides the retirement age and the secondment checks).
public enum Sex: String, Sendable, CaseIterable {
    case male = "m"
    case female = "f"
}

/// Whether a cadre works now.
public enum CadreStatus: String, Sendable, CaseIterable {
    case active
    case onLeave = "on_leave"
    case retired
}

/// The disciplinary forms recorded against a cadre, mildest first.
public enum DisciplineForm: String, Sendable, CaseIterable {
    /// Khiển trách.
    case reprimand
    /// Cảnh cáo.
    case warning
    /// Cách chức.
    case removalFromPost = "removal_from_post"
    /// Buộc thôi việc / khai trừ.
    case dismissal
}

/// Parses a closed set of words, naming the field and the allowed words on a mistake.
public enum Choice {
    /// The case whose raw value is `text`; nil or empty gives `default`.
    public static func parse<T: RawRepresentable & CaseIterable>(
        _ text: String?, field: String, default value: T? = nil
    ) throws(DomainError) -> T? where T.RawValue == String {
        guard let text, !text.isEmpty else { return value }
        guard let chosen = T(rawValue: text) else {
            throw DomainError.invalid(field, "\(text) is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return chosen
    }
}

/// The fields of a cadre record as entered (CADRE ADD, an import row), checked.
public struct CadreProfile: Sendable, Equatable {
    public var code: String
    public var fullName: String
    public var unit: String
    public var position: String?
    public var level: CadreLevel
    public var hometown: String?
    public var born: CalendarDay?
    public var sex: Sex?
    public var partySince: CalendarDay?
    public var planning: Bool
    public var status: CadreStatus
    /// For a cadre on leave: from and until.
    public var leaveFrom: CalendarDay?
    public var leaveUntil: CalendarDay?
    /// What secondment checks need.
    public var pregnant: Bool
    /// The birth date of the youngest child (secondment: not while a child is under 36 months).
    public var childBorn: CalendarDay?
    /// Since when the cadre works in the unit (the first work-history entry).
    public var since: CalendarDay?

    /// Checks raw field texts by name (`name`, `unit`, `position`, `level`, `hometown`,
    /// `born`, `sex`, `party_since`, `planning`, `status`, `leave_from`, `leave_until`,
    /// `pregnant`, `child_born`, `since`); the first problem names its field.
    public init(code: String, fields: (String) -> String?) throws(DomainError) {
        func text(_ name: String) -> String? { FieldText.value(fields, name) }
        self.code = try RecordCode.validate(code, field: "cadre")
        guard let name = text("name") else { throw DomainError.invalid("name", "required") }
        guard name.count <= 300 else { throw DomainError.invalid("name", "at most 300 characters") }
        fullName = name
        unit = try RecordCode.validate(text("unit"), field: "unit")
        position = text("position")
        level = try Choice.parse(text("level"), field: "level", default: CadreLevel.staff) ?? .staff
        hometown = text("hometown")
        born = try CalendarDay.parse(text("born"), field: "born")
        sex = try Choice.parse(text("sex"), field: "sex")
        partySince = try CalendarDay.parse(text("party_since"), field: "party_since")
        planning = try YesNo.parse(text("planning"), field: "planning")
        status = try Choice.parse(text("status"), field: "status", default: CadreStatus.active) ?? .active
        leaveFrom = try CalendarDay.parse(text("leave_from"), field: "leave_from")
        leaveUntil = try CalendarDay.parse(text("leave_until"), field: "leave_until")
        pregnant = try YesNo.parse(text("pregnant"), field: "pregnant")
        childBorn = try CalendarDay.parse(text("child_born"), field: "child_born")
        since = try CalendarDay.parse(text("since"), field: "since")
        if let born, let partySince, partySince < born.adding(months: 12 * 18) {
            throw DomainError.invalid("party_since", "\(partySince) is before the cadre's 18th birthday")
        }
        if let leaveFrom, let leaveUntil, leaveUntil < leaveFrom {
            throw DomainError.invalid("leave_until", "\(leaveUntil) is before leave_from \(leaveFrom)")
        }
        if status != .onLeave, leaveFrom != nil || leaveUntil != nil {
            throw DomainError.invalid("status", "leave dates need status=on_leave")
        }
        if pregnant, sex == .male { throw DomainError.invalid("pregnant", "recorded only for a woman") }
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    public var trimmingSpaces: String {
        // Most fields have nothing to trim: answered from the first and last bytes.
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let head = utf8.first, let tail = utf8.last, isSpace(head) || isSpace(tail) else { return self }
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
