import CadreflowPostgres
import CadreflowRules

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

    /// One unit with its lineage, if in scope.
    public func unit(_ code: String, by requester: Requester) async throws -> UnitDetail {
        let detail = try await pool.withConnection { connection -> UnitDetail? in
            let results = try connection.pipeline([
                PostgresStatement(sql: "SELECT \(Self.unitColumns) FROM units u WHERE u.code = $1", parameters: [code]),
                PostgresStatement(
                    sql: """
                    SELECT 'predecessor', l.predecessor, e.kind, e.effective::text, e.decision, e.id FROM unit_lineage l JOIN unit_events e ON e.id = l.event_id WHERE l.successor = $1
                    UNION ALL
                    SELECT 'successor', l.successor, e.kind, e.effective::text, e.decision, e.id FROM unit_lineage l JOIN unit_events e ON e.id = l.event_id WHERE l.predecessor = $1
                    ORDER BY 4, 6, 2
                    """, parameters: [code]),
                PostgresStatement(sql: "SELECT old_name, new_name, effective::text, decision FROM unit_events WHERE subject = $1 AND kind = 'rename' ORDER BY effective, id", parameters: [code]),
            ], mode: .atomic)
            guard let row = try results[0].get().rows.first else { return nil }
            let links = try results[1].get().rows.map { row in
                LineageLink(
                    direction: LineageLink.Direction(rawValue: try row.decode(0)) ?? .predecessor, unit: try row.decode(1), kind: try row.decode(2),
                    date: try row.requiredDay(3), decision: try row.decode(4)
                )
            }
            let renames = try results[2].get().rows.map { row in
                UnitRename(oldName: try row.decode(0), newName: try row.decode(1), date: try row.requiredDay(2), decision: try row.decode(3))
            }
            return UnitDetail(unit: try Self.unitRecord(row), links: links, renames: renames)
        }
        guard let detail else { throw DomainError(.notFound, "unit \(code) does not exist") }
        try requester.requireCovers(unit: code, path: detail.unit.path)
        return detail
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
