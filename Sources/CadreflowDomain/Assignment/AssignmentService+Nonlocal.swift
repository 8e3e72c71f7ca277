import CadreflowPostgres
import CadreflowRules

/// One line of REPORT NONLOCAL: a unit subtree's holders of a post and how many are not local.
public struct NonlocalLine: Sendable, Equatable {
    public var unit: String
    public var name: String
    /// Active cadres holding the post.
    public var holders = 0
    /// Of those with a recorded hometown, whose hometown lies outside the unit's locality.
    public var nonlocal = 0
    /// Holders with no hometown recorded (left out of the share).
    public var unknown = 0

    /// A line from its counts.
    public init(unit: String, name: String, holders: Int = 0, nonlocal: Int = 0, unknown: Int = 0) {
        self.unit = unit
        self.name = name
        self.holders = holders
        self.nonlocal = nonlocal
        self.unknown = unknown
    }

    /// Adds another line's counts.
    public mutating func add(_ other: NonlocalLine) {
        holders += other.holders
        nonlocal += other.nonlocal
        unknown += other.unknown
    }
}

extension AssignmentService {
    /// REPORT NONLOCAL: the active holders of `position` (the title as recorded) in a unit's
    /// subtree, per child unit. A holder is local when their hometown is the locality of the
    /// unit they work in, of a unit under it, or of a unit that went into one of these by
    /// a merger or split (the lineage, followed back through every reorganisation): a
    /// hometown commune merged into this one is local.
    public func nonlocal(position: String, unit named: String?, by requester: Requester) async throws -> (unit: String, lines: [NonlocalLine]) {
        let position = try Self.required(position, "position", "the post's title as recorded, e.g. \"Bí thư Đảng ủy xã\"")
        let unit = try AssessmentService.scopeUnit(named, by: requester)
        return try await pool.withConnection { connection in
            _ = try AssessmentService.unitPath(unit, by: requester, on: connection)
            let lines = try connection.query(
                """
                WITH RECURSIVE root AS (SELECT code, path FROM units WHERE code = $1),
                groups AS (
                    SELECT r.code, u.name, r.path, 0 AS own FROM root r JOIN units u ON u.code = r.code
                    UNION ALL SELECT u.code, u.name, u.path, 1 FROM units u JOIN root r ON u.parent_code = r.code
                ),
                holders AS (
                    SELECT c.code, c.hometown, u.code AS unit, u.path, u.locality FROM cadres c JOIN units u ON u.code = c.unit_code JOIN root r
                      ON u.path = r.path OR starts_with(u.path, r.path || '/')
                    WHERE c.status = 'active' AND btrim(c.position) = $2
                ),
                reach (holder, unit, depth) AS (
                    SELECT h.code, d.code, 0 FROM holders h JOIN units d ON d.path = h.path OR starts_with(d.path, h.path || '/')
                    UNION
                    SELECT r.holder, l.predecessor, r.depth + 1 FROM reach r JOIN unit_lineage l ON l.successor = r.unit WHERE r.depth < 32
                ),
                judged AS (
                    SELECT h.code, h.path, h.hometown IS NULL AS unknown,
                           h.hometown IS NOT NULL AND h.hometown IS DISTINCT FROM h.locality AND NOT EXISTS (
                               SELECT 1 FROM reach r JOIN units d ON d.code = r.unit WHERE r.holder = h.code AND d.locality = h.hometown
                           ) AS nonlocal
                    FROM holders h
                )
                SELECT g.code, g.name, count(j.code), count(j.code) FILTER (WHERE j.nonlocal), count(j.code) FILTER (WHERE j.unknown)
                FROM groups g LEFT JOIN judged j ON (g.own = 0 AND j.path = g.path) OR (g.own = 1 AND (j.path = g.path OR starts_with(j.path, g.path || '/')))
                GROUP BY g.code, g.name, g.own ORDER BY g.own, g.code
                """,
                unit, position
            ).rows.map { row in
                NonlocalLine(unit: try row.decode(0), name: try row.decode(1), holders: try row.decode(2), nonlocal: try row.decode(3), unknown: try row.decode(4))
            }
            return (unit, lines)
        }
    }
}
