import CadreflowPostgres
import CadreflowRules

extension OrganisationService {
    /// Imports a checked ORG IMPORT file in the caller's transaction, all or nothing: units
    /// (parents may come later in the file), cadres with their first work-history entry,
    /// then the lineage events in file order. Rows travel by COPY into temporary tables
    /// and are inserted by set-based statements. A problem names its line.
    public func importFile(_ file: OrgImportFile, by requester: Requester, on connection: PostgresConnection) throws -> ImportSummary {
        let today = calendar.currentDay()
        try connection.execute("""
            CREATE TEMP TABLE import_units (line int, code text, name text, parent text, kind text, locality text, valid_from date) ON COMMIT DROP;
            CREATE TEMP TABLE import_cadres (line int, code text, name text, unit text, position text, level text, hometown text,
                born date, sex text, party_since date, planning boolean, status text, leave_from date, leave_until date,
                pregnant boolean, child_born date, since date) ON COMMIT DROP;
            SET LOCAL work_mem = '256MB';
            """)
        try connection.copyFrom("COPY import_units FROM STDIN", rows: file.units.lazy.map { row in
            let unit = row.unit
            return [String(row.line), unit.code, unit.name, unit.parent, unit.kind, unit.locality, unit.validFrom?.description]
        })
        try connection.copyFrom("COPY import_cadres FROM STDIN", rows: file.cadres.lazy.map { row in
            let c = row.cadre
            return [String(row.line), c.code, c.fullName, c.unit, c.position, c.level.rawValue, c.hometown, c.born?.description, c.sex?.rawValue,
                    c.partySince?.description, c.planning ? "t" : "f", c.status.rawValue, c.leaveFrom?.description, c.leaveUntil?.description,
                    c.pregnant ? "t" : "f", c.childBorn?.description, (c.since ?? today).description]
        })
        func fail(_ row: PostgresRow?, _ code: DomainError.Code, _ message: (String) -> String) throws -> Never {
            let line: Int = try row?.decode(0) ?? 0
            let value: String = try row?.decode(1) ?? "?"
            throw DomainError(code, message(value), line: line)
        }
        if let clash = try connection.query("SELECT line, code FROM import_units WHERE code IN (SELECT code FROM units) ORDER BY line LIMIT 1").rows.first {
            try fail(clash, .conflict) { "unit \($0) exists already" }
        }
        if let clash = try connection.query("SELECT line, code FROM import_cadres WHERE code IN (SELECT code FROM cadres) ORDER BY line LIMIT 1").rows.first {
            try fail(clash, .conflict) { "cadre \($0) exists already" }
        }
        var summary = ImportSummary()
        summary.units = try connection.query("""
            WITH RECURSIVE tree AS (
                SELECT i.line, i.code, i.name, i.parent, i.kind, i.locality, i.valid_from, coalesce(u.path || '/', '') || i.code AS path, 1 AS depth
                FROM import_units i LEFT JOIN units u ON u.code = i.parent
                WHERE i.parent IS NULL OR u.code IS NOT NULL
                UNION ALL
                SELECT i.line, i.code, i.name, i.parent, i.kind, i.locality, i.valid_from, t.path || '/' || i.code, t.depth + 1
                FROM import_units i JOIN tree t ON i.parent = t.code WHERE t.depth < 64
            )
            INSERT INTO units (code, name, parent_code, kind, locality, path, valid_from)
            SELECT code, name, parent, kind, locality, path, valid_from FROM tree
            """).affectedRows
        if summary.units < file.units.count {
            let orphan = try connection.query(
                "SELECT line, parent, code FROM import_units WHERE code NOT IN (SELECT code FROM units) ORDER BY line LIMIT 1"
            ).rows.first
            let child: String = try orphan?.decode(2) ?? "?"
            try fail(orphan, .notFound) { "parent unit \($0) of \(child) does not exist (or the parents form a loop)" }
        }
        if requester.role != .admin, let root = try connection.query(
            "SELECT line, code FROM import_units WHERE parent IS NULL ORDER BY line LIMIT 1"
        ).rows.first {
            try fail(root, .denied) { "only an admin adds a root unit (\($0))" }
        }
        let outsideScope = "NOT \(UnitScope.sqlCondition(path: "u.path", scope: "$1"))"
        if let outside = try connection.query(
            "SELECT i.line, i.code FROM import_units i JOIN units u ON u.code = i.code WHERE \(outsideScope) ORDER BY i.line LIMIT 1", requester.scope.path
        ).rows.first {
            try fail(outside, .denied) { "unit \($0) is outside your scope" }
        }
        if let missing = try connection.query(
            "SELECT c.line, c.unit FROM import_cadres c LEFT JOIN units u ON u.code = c.unit WHERE u.code IS NULL ORDER BY c.line LIMIT 1"
        ).rows.first {
            try fail(missing, .notFound) { "unit \($0) does not exist" }
        }
        if let outside = try connection.query(
            "SELECT c.line, c.unit FROM import_cadres c JOIN units u ON u.code = c.unit WHERE \(outsideScope) ORDER BY c.line LIMIT 1", requester.scope.path
        ).rows.first {
            try fail(outside, .denied) { "unit \($0) is outside your scope" }
        }
        summary.cadres = try connection.query("""
            INSERT INTO cadres (code, full_name, unit_code, position, level, hometown, born, sex, party_since, planning, status,
                                leave_from, leave_until, pregnant, child_born)
            SELECT code, name, unit, position, level, hometown, born, sex, party_since, planning, status, leave_from, leave_until, pregnant, child_born
            FROM import_cadres ORDER BY line
            """).affectedRows
        try connection.query(
            """
            INSERT INTO cadre_work_history (cadre_code, unit_code, position, level, valid_from, reason, recorded_by)
            SELECT code, unit, position, level, since, 'imported', $1 FROM import_cadres ORDER BY line
            """,
            requester.login
        )
        for row in file.events {
            do {
                summary.cadresMoved += try apply(row.event, by: requester, on: connection).moved
            } catch let error as DomainError {
                throw error.at(line: row.line)
            }
        }
        summary.events = file.events.count
        return summary
    }
}
