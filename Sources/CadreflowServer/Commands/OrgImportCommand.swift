import CadreflowPostgres
import CadreflowProtocol

/// ORG IMPORT format=csv: units and cadres in one CSV upload, all or nothing.
///
/// The header names the columns (any order): `type` (unit|cadre) and `code` always;
/// `name`, `parent`, `kind`, `locality` for units; `name`, `unit`, `position`, `level`,
/// `hometown`, `born`, `sex`, `party_since`, `planning` for cadres. Units may name
/// parents defined later in the same file. Every row is checked; the reply names the
/// first errors by line. Rows travel by COPY into temporary tables and are inserted by
/// set-based statements in one transaction.
enum OrgImportCommand {
    static let known: Set<String> = ["type", "code", "name", "parent", "kind", "locality", "unit", "position", "level", "hometown", "born", "sex", "party_since", "planning"]

    static let spec = CommandSpec(
        name: "ORG IMPORT", usage: "ORG IMPORT format=csv   (then CSV lines with a header, then a lone .)",
        summary: "import units and cadres (all or nothing, errors name the line)", roles: [.admin, .organizer], changesState: true
    ) { request, session, _ in
        _ = try session.requireAccount()
        try request.allowOnly(["format"])
        guard request.option("format")?.lowercased() == "csv" else { throw ProtocolError(.invalid, "format: csv") }
        session.upload = PendingUpload(request: request) { lines, account, context in
            try await importRows(lines, account: account, context: context)
        }
        return .go("send CSV lines with a header (type,code,name,…), end with a single \".\"")
    }

    private struct UnitRow { var line: Int; var fields: [String?] }

    static func importRows(_ lines: [String], account: Account, context: ServerContext) async throws -> Reply {
        guard let headerLine = lines.first else { throw ProtocolError(.invalid, "line 1: the upload is empty (a header is expected)") }
        let header = try CSVParser.fields(headerLine).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let unknown = header.first(where: { !known.contains($0) }) {
            throw ProtocolError(.invalid, "line 1: unknown column \(unknown) (known: \(known.sorted().joined(separator: ",")))")
        }
        guard header.contains("type"), header.contains("code"), header.contains("name") else {
            throw ProtocolError(.invalid, "line 1: the header needs type, code and name")
        }
        let position = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var units: [[String?]] = []
        var cadres: [[String?]] = []
        var errors: [String] = []
        var seenUnits = Set<String>()
        var seenCadres = Set<String>()
        for (offset, line) in lines.enumerated().dropFirst() where errors.count < 20 {
            let number = offset + 1
            do {
                let fields = try CSVParser.fields(line)
                guard fields.count == header.count else {
                    throw ProtocolError(.invalid, "\(fields.count) fields, expected \(header.count)")
                }
                func value(_ column: String) -> String? {
                    guard let index = position[column] else { return nil }
                    let text = fields[index].trimmingCharacters(in: .whitespaces)
                    return text.isEmpty ? nil : text
                }
                guard let code = value("code"), code.count <= 64, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) else {
                    throw ProtocolError(.invalid, "code: 1 to 64 letters, digits, _ . -")
                }
                guard let name = value("name") else { throw ProtocolError(.invalid, "name: required") }
                switch value("type") {
                case "unit":
                    guard seenUnits.insert(code).inserted else { throw ProtocolError(.invalid, "unit \(code) appears twice") }
                    units.append([String(number), code, name, value("parent"), value("kind") ?? "unit", value("locality")])
                case "cadre":
                    guard seenCadres.insert(code).inserted else { throw ProtocolError(.invalid, "cadre \(code) appears twice") }
                    guard let unit = value("unit") else { throw ProtocolError(.invalid, "unit: required for a cadre") }
                    let checked = try CadreCommands.validated(level: value("level"), born: value("born"), sex: value("sex"),
                                                              partySince: value("party_since"), planning: value("planning"))
                    cadres.append([String(number), code, name, unit, value("position"), checked.level, value("hometown"),
                                   checked.born?.description, checked.sex, checked.partySince?.description, checked.planning ? "t" : "f"])
                default:
                    throw ProtocolError(.invalid, "type: unit or cadre")
                }
            } catch let error as ProtocolError {
                errors.append("line \(number): \(error.message)")
            }
        }
        guard errors.isEmpty else {
            throw ProtocolError(.invalid, errors.prefix(5).joined(separator: "; ") + (errors.count > 5 ? "; … \(errors.count - 5) more" : ""))
        }
        let unitRows = units
        let cadreRows = cadres
        return try await context.pool.withTransaction { connection -> Reply in
            try connection.execute("""
                CREATE TEMP TABLE import_units (line int, code text, name text, parent text, kind text, locality text) ON COMMIT DROP;
                CREATE TEMP TABLE import_cadres (line int, code text, name text, unit text, position text, level text, hometown text,
                    born date, sex text, party_since date, planning boolean) ON COMMIT DROP;
                SET LOCAL work_mem = '256MB';
                """)
            try connection.copyFrom("COPY import_units FROM STDIN", rows: unitRows)
            try connection.copyFrom("COPY import_cadres FROM STDIN", rows: cadreRows)
            if let clash = try connection.query("SELECT line, code FROM import_units WHERE code IN (SELECT code FROM units) ORDER BY line LIMIT 1").rows.first {
                throw ProtocolError(.conflict, "line \(try clash.decode(0, as: Int.self)): unit \(try clash.decode(1, as: String.self)) exists already")
            }
            if let clash = try connection.query("SELECT line, code FROM import_cadres WHERE code IN (SELECT code FROM cadres) ORDER BY line LIMIT 1").rows.first {
                throw ProtocolError(.conflict, "line \(try clash.decode(0, as: Int.self)): cadre \(try clash.decode(1, as: String.self)) exists already")
            }
            let insertedUnits = try connection.query("""
                WITH RECURSIVE tree AS (
                    SELECT i.line, i.code, i.name, i.parent, i.kind, i.locality, coalesce(u.path || '/', '') || i.code AS path, 1 AS depth
                    FROM import_units i LEFT JOIN units u ON u.code = i.parent
                    WHERE i.parent IS NULL OR u.code IS NOT NULL
                    UNION ALL
                    SELECT i.line, i.code, i.name, i.parent, i.kind, i.locality, t.path || '/' || i.code, t.depth + 1
                    FROM import_units i JOIN tree t ON i.parent = t.code WHERE t.depth < 64
                )
                INSERT INTO units (code, name, parent_code, kind, locality, path)
                SELECT code, name, parent, kind, locality, path FROM tree
                """).affectedRows
            if insertedUnits < unitRows.count {
                let orphan = try connection.query(
                    "SELECT line, code, parent FROM import_units WHERE code NOT IN (SELECT code FROM units) ORDER BY line LIMIT 1"
                ).rows.first
                let line = try orphan?.decode(0, as: Int.self) ?? 0
                throw ProtocolError(.notFound, "line \(line): parent unit \(try orphan?.decode(2, as: String?.self) ?? "?") of \(try orphan?.decode(1, as: String.self) ?? "?") does not exist")
            }
            if let scope = account.unitPath {
                if let outside = try connection.query(
                    "SELECT i.line, i.code FROM import_units i JOIN units u ON u.code = i.code WHERE NOT (u.path = $1 OR u.path LIKE $1 || '/%') ORDER BY i.line LIMIT 1", scope
                ).rows.first {
                    throw ProtocolError(.denied, "line \(try outside.decode(0, as: Int.self)): unit \(try outside.decode(1, as: String.self)) is outside your scope")
                }
            }
            if let missing = try connection.query(
                "SELECT c.line, c.unit FROM import_cadres c LEFT JOIN units u ON u.code = c.unit WHERE u.code IS NULL ORDER BY c.line LIMIT 1"
            ).rows.first {
                throw ProtocolError(.notFound, "line \(try missing.decode(0, as: Int.self)): unit \(try missing.decode(1, as: String.self)) does not exist")
            }
            if let scope = account.unitPath, let outside = try connection.query(
                "SELECT c.line, c.unit FROM import_cadres c JOIN units u ON u.code = c.unit WHERE NOT (u.path = $1 OR u.path LIKE $1 || '/%') ORDER BY c.line LIMIT 1", scope
            ).rows.first {
                throw ProtocolError(.denied, "line \(try outside.decode(0, as: Int.self)): unit \(try outside.decode(1, as: String.self)) is outside your scope")
            }
            let insertedCadres = try connection.query("""
                INSERT INTO cadres (code, full_name, unit_code, position, level, hometown, born, sex, party_since, planning)
                SELECT code, name, unit, position, level, hometown, born, sex, party_since, planning FROM import_cadres ORDER BY line
                """).affectedRows
            return .ok("imported \(insertedUnits + insertedCadres) rows (\(insertedUnits) units, \(insertedCadres) cadres)")
        }
    }
}
