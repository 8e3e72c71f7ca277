/// One row of the ORG IMPORT CSV: all 23 columns, empty where not applicable.
struct DemoImportRow {
    /// The header, exactly as the importer expects it.
    static let columns = [
        "type", "code", "name", "parent", "kind", "locality", "valid_from", "unit", "position", "level",
        "hometown", "born", "sex", "party_since", "planning", "status", "pregnant", "child_born", "since",
        "from", "into", "date", "decision",
    ]

    var type = ""
    var code = ""
    var name = ""
    var parent = ""
    var kind = ""
    var locality = ""
    var validFrom = ""
    var unit = ""
    var position = ""
    var level = ""
    var hometown = ""
    var born = ""
    var sex = ""
    var partySince = ""
    var planning = ""
    var status = ""
    var pregnant = ""
    var childBorn = ""
    var since = ""
    var from = ""
    var into = ""
    var date = ""
    var decision = ""

    /// The fields in column order.
    var fields: [String] {
        [type, code, name, parent, kind, locality, validFrom, unit, position, level,
         hometown, born, sex, partySince, planning, status, pregnant, childBorn, since,
         from, into, date, decision]
    }

    /// The CSV line (no line break).
    var line: String { DemoCSV.line(fields) }

    /// The header line.
    static var header: String { DemoCSV.line(columns) }
}
