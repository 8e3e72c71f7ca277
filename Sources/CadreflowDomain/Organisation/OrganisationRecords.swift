import CadreflowRules

/// A unit as stored, with its name as of the day asked about.
public struct UnitRecord: Sendable, Equatable {
    public var code: String
    public var name: String
    public var parent: String?
    public var kind: String
    public var locality: String?
    public var path: String
    public var validFrom: CalendarDay?
    public var validTo: CalendarDay?
}

/// One lineage link of a unit: a unit it came from or went into, by which event.
public struct LineageLink: Sendable, Equatable {
    /// Whether the other unit is a predecessor or a successor.
    public enum Direction: String, Sendable { case predecessor, successor }
    public var direction: Direction
    public var unit: String
    public var kind: String
    public var date: CalendarDay
    public var decision: String
}

/// A rename of a unit.
public struct UnitRename: Sendable, Equatable {
    public var oldName: String
    public var newName: String
    public var date: CalendarDay
    public var decision: String
}

/// A unit with its lineage and renames.
public struct UnitDetail: Sendable, Equatable {
    public var unit: UnitRecord
    public var links: [LineageLink]
    public var renames: [UnitRename]
}

/// A cadre as stored.
public struct CadreRecord: Sendable, Equatable {
    public var code: String
    public var fullName: String
    public var unit: String
    public var position: String?
    public var level: String
    public var hometown: String?
    public var born: CalendarDay?
    public var sex: String?
    public var partySince: CalendarDay?
    public var planning: Bool
    public var status: String
    public var leaveFrom: CalendarDay?
    public var leaveUntil: CalendarDay?
    public var pregnant: Bool
    public var childBorn: CalendarDay?
    /// The day the cadre reaches the retirement age (from the birth date and sex).
    public var retiresOn: CalendarDay?
}

/// One entry of a cadre's work history.
public struct WorkHistoryEntry: Sendable, Equatable {
    public var unit: String
    public var unitName: String
    public var position: String?
    public var level: String
    public var from: CalendarDay
    public var to: CalendarDay?
    public var reason: String
}

/// A disciplinary measure.
public struct DisciplineRecord: Sendable, Equatable {
    public var year: Int
    public var form: String
    public var decision: String
    public var decidedOn: CalendarDay
}

/// What an import did.
public struct ImportSummary: Sendable, Equatable {
    public var units = 0
    public var cadres = 0
    public var events = 0
    public var cadresMoved = 0

    /// `imported 120 rows (…)`.
    public var description: String {
        let events = self.events == 0 ? "" : ", \(self.events) lineage events; \(cadresMoved) cadres moved by them"
        return "imported \(units + cadres + self.events) rows (\(units) units, \(cadres) cadres\(events))"
    }
}
