/// One line of an uploaded CSV file, split into fields by the protocol layer.
public struct ImportRecord: Sendable, Equatable {
    /// The line number in the upload (the header is line 1).
    public var line: Int
    /// The fields.
    public var fields: [String]

    /// A record from its parts.
    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// An ORG IMPORT file checked row by row: units, cadres and lineage events, each with its
/// line. Every problem is collected (up to a limit) and reported by line; nothing of a
/// file with a problem is applied.
///
/// Columns (any order, named by the header): `type` (unit, cadre, merge, split, rename,
/// close) and `code` always; for units `name`, `parent`, `kind`, `locality`, `valid_from`;
/// for cadres `name`, `unit`, `position`, `level`, `hometown`, `born`, `sex`,
/// `party_since`, `planning`, `status`, `leave_from`, `leave_until`, `pregnant`,
/// `child_born`, `since`; for events `from`, `into`, `name` (rename), `date`, `decision`.
public struct OrgImportFile: Sendable {
    /// A unit row.
    public struct UnitRow: Sendable { public var line: Int; public var unit: UnitDraft }
    /// A cadre row.
    public struct CadreRow: Sendable { public var line: Int; public var cadre: CadreProfile }
    /// A lineage event row.
    public struct EventRow: Sendable { public var line: Int; public var event: LineageEvent }

    /// Every column a file may have.
    public static let columns: [String] = [
        "type", "code", "name", "parent", "kind", "locality", "valid_from", "unit", "position", "level", "hometown", "born", "sex",
        "party_since", "planning", "status", "leave_from", "leave_until", "pregnant", "child_born", "since", "from", "into", "date", "decision",
    ]

    public var units: [UnitRow] = []
    public var cadres: [CadreRow] = []
    public var events: [EventRow] = []

    /// Checks a header and its rows; throws one error listing the first problems by line.
    public init(header: [String], records: [ImportRecord], maxErrors: Int = 20) throws(DomainError) {
        let names = header.map { $0.trimmingSpaces.lowercased() }
        let known = Set(Self.columns)
        if let unknown = names.first(where: { !known.contains($0) }) {
            throw DomainError(.invalid, "unknown column \(unknown) (known: \(Self.columns.joined(separator: ",")))", line: 1)
        }
        guard names.contains("type"), names.contains("code") else {
            throw DomainError(.invalid, "the header needs the columns type and code", line: 1)
        }
        var position: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            guard position[name] == nil else { throw DomainError(.invalid, "column \(name) appears twice", line: 1) }
            position[name] = index
        }
        var problems: [DomainError] = []
        var seenUnits = Set<String>()
        var seenCadres = Set<String>()
        for record in records where problems.count < maxErrors {
            do throws(DomainError) {
                guard record.fields.count == names.count else {
                    throw DomainError(.invalid, "\(record.fields.count) fields, expected \(names.count)")
                }
                let value: (String) -> String? = { column in position[column].map { record.fields[$0] } }
                let code = value("code")?.trimmingSpaces ?? ""
                let type = value("type")?.trimmingSpaces.lowercased() ?? ""
                switch type {
                case "unit":
                    let unit = try UnitDraft(code: code, fields: value)
                    guard seenUnits.insert(unit.code).inserted else { throw DomainError.invalid("code", "unit \(unit.code) appears twice") }
                    units.append(UnitRow(line: record.line, unit: unit))
                case "cadre":
                    let cadre = try CadreProfile(code: code, fields: value)
                    guard seenCadres.insert(cadre.code).inserted else { throw DomainError.invalid("code", "cadre \(cadre.code) appears twice") }
                    cadres.append(CadreRow(line: record.line, cadre: cadre))
                default:
                    guard let kind = LineageEvent.Kind(rawValue: type) else {
                        throw DomainError.invalid("type", "\(type.isEmpty ? "(empty)" : type) is not one of unit, cadre, merge, split, rename, close")
                    }
                    events.append(EventRow(line: record.line, event: try LineageEvent(kind: kind, fields: value)))
                }
            } catch {
                problems.append(error.at(line: record.line))
            }
        }
        if let first = problems.first {
            let shown = problems.prefix(5).map(\.description).joined(separator: "; ")
            let more = problems.count > 5 ? "; … \(problems.count - 5) more\(problems.count >= maxErrors ? " (checking stopped at \(maxErrors))" : "")" : ""
            throw DomainError(first.code, shown + more)
        }
    }

    /// The number of rows.
    public var rowCount: Int { units.count + cadres.count + events.count }
}
