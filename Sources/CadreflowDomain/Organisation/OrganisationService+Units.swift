import CadreflowPostgres
import CadreflowRules
import Foundation

extension OrganisationService {
    static let unitColumns = """
        u.code, u.name, u.parent_code, u.kind, u.locality, u.path, u.valid_from::text, u.valid_to::text
        """

    static func unitRecord(_ row: PostgresRow, nameColumn: Int = 1) throws -> UnitRecord {
        UnitRecord(
            code: try row.decode(0), name: try row.decode(nameColumn), parent: try row.decode(2), kind: try row.decode(3),
            locality: try row.decode(4), path: try row.decode(5), validFrom: try row.day(6), validTo: try row.day(7)
        )
    }

    /// Adds a unit under a parent in the requester's scope (only an admin adds a root).
    public func addUnit(_ draft: UnitDraft, by requester: Requester, on connection: PostgresConnection) throws -> UnitRecord {
        var path = draft.code
        if let parent = draft.parent {
            guard let row = try connection.query("SELECT path, valid_to::text FROM units WHERE code = $1 FOR SHARE", parent).rows.first else {
                throw DomainError(.notFound, "parent unit \(parent) does not exist")
            }
            let parentPath: String = try row.decode(0)
            try requester.requireCovers(unit: parent, path: parentPath)
            if let closed = try row.day(1), draft.validFrom.map({ $0 >= closed }) ?? true {
                throw DomainError(.conflict, "parent unit \(parent) closed on \(closed)")
            }
            path = UnitScope.childPath(parent: parentPath, code: draft.code)
        } else if requester.role != .admin {
            throw DomainError(.denied, "only an admin adds a root unit")
        }
        do {
            try connection.transaction { connection in
                _ = try connection.query(
                    "INSERT INTO units (code, name, parent_code, kind, locality, path, valid_from) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    draft.code, draft.name, draft.parent, draft.kind, draft.locality, path, draft.validFrom
                )
            }
        } catch {
            throw Self.mapped(error, record: "unit \(draft.code)")
        }
        return UnitRecord(code: draft.code, name: draft.name, parent: draft.parent, kind: draft.kind, locality: draft.locality, path: path, validFrom: draft.validFrom, validTo: nil)
    }

    /// One unit with its lineage and renames, if in scope, as one statement (the lists
    /// aggregated as JSON) with the scope checked as it is decoded: a read that runs on an
    /// event loop's own connection (UNIT SHOW is a `query:` command).
    public func unitRead(_ code: String, by requester: Requester) -> PostgresRead<UnitDetail> {
        PostgresRead(Self.unitByCode, [code]) { result in
            guard let row = result.rows.first else { throw DomainError(.notFound, "unit \(code) does not exist") }
            let unit = try Self.unitRecord(row)
            try requester.requireCovers(unit: code, path: unit.path)
            let links = try Self.jsonRows(try row.decode(8), column: "lineage").map { fields in
                LineageLink(
                    direction: LineageLink.Direction(rawValue: fields[0] ?? "") ?? .predecessor, unit: fields[1] ?? "", kind: fields[2] ?? "",
                    date: try Self.requiredDay(fields[3]), decision: fields[4] ?? ""
                )
            }
            let renames = try Self.jsonRows(try row.decode(9), column: "renames").map { fields in
                UnitRename(
                    oldName: fields[0] ?? "", newName: fields[1] ?? "",
                    date: try Self.requiredDay(fields[2]), decision: fields[3] ?? ""
                )
            }
            return UnitDetail(unit: unit, links: links, renames: renames)
        }
    }

    /// One unit with its lineage (predecessors and successors, by date, event and code)
    /// and its renames (by date and event), each list a JSON array of arrays of text.
    static let unitByCode = """
        SELECT \(unitColumns),
            coalesce((SELECT json_agg(json_build_array(x.direction, x.unit, x.kind, x.effective, x.decision) ORDER BY x.effective, x.id, x.unit)::text FROM (
                SELECT 'predecessor' AS direction, l.predecessor AS unit, e.kind, e.effective::text AS effective, e.decision, e.id
                FROM unit_lineage l JOIN unit_events e ON e.id = l.event_id WHERE l.successor = u.code
                UNION ALL
                SELECT 'successor', l.successor, e.kind, e.effective::text, e.decision, e.id
                FROM unit_lineage l JOIN unit_events e ON e.id = l.event_id WHERE l.predecessor = u.code) x), '[]'),
            coalesce((SELECT json_agg(json_build_array(e.old_name, e.new_name, e.effective::text, e.decision) ORDER BY e.effective, e.id)::text
                      FROM unit_events e WHERE e.subject = u.code AND e.kind = 'rename'), '[]')
        FROM units u WHERE u.code = $1
        """

    /// A lineage or rename date from its JSON text.
    private static func requiredDay(_ text: String?) throws -> CalendarDay {
        guard let day = try CalendarDay.parse(text, field: "effective") else { throw DomainError(.invalid, "effective: no date") }
        return day
    }

    /// A JSON array of arrays of text (or null) as rows of optional strings.
    static func jsonRows(_ text: String, column: String) throws -> [[String?]] {
        guard let rows = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[Any]] else {
            throw DomainError(.invalid, "\(column): not a JSON array of arrays")
        }
        return rows.map { row in row.map { $0 as? String } }
    }

    /// The units of the requester's scope as they stood on a day (default today), with the
    /// names they had then; with `includeClosed`, every unit ever recorded.
    public func units(at day: CalendarDay?, parent: String?, includeClosed: Bool, by requester: Requester) async throws -> [UnitRecord] {
        let on = day ?? calendar.currentDay()
        let scope = requester.scope.path
        return try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(Self.unitColumns),
                    coalesce((SELECT e.old_name FROM unit_events e WHERE e.subject = u.code AND e.kind = 'rename' AND e.effective > $3
                              ORDER BY e.effective, e.id LIMIT 1), u.name)
                FROM units u
                WHERE \(UnitScope.sqlCondition(path: "u.path", scope: "$1")) AND ($2::text IS NULL OR u.parent_code = $2)
                  AND ($4 OR ((u.valid_from IS NULL OR u.valid_from <= $3) AND (u.valid_to IS NULL OR u.valid_to > $3)))
                ORDER BY u.path LIMIT 10000
                """,
                scope, parent, on, includeClosed
            ).rows.map { try Self.unitRecord($0, nameColumn: 8) }
        }
    }
}
