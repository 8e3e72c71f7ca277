import CadreflowPostgres
import CadreflowRules

extension OrganisationService {
    static let cadreColumns = """
        c.code, c.full_name, c.unit_code, c.position, c.level, c.hometown, c.born::text, c.sex, c.party_since::text, c.planning,
        c.status, c.leave_from::text, c.leave_until::text, c.pregnant, c.child_born::text, u.path
        """

    /// One cadre by code with its unit's path. The path is a scalar subquery, so the plan is
    /// two index look-ups whatever the size of `units` (as a join, the generic plan of the
    /// prepared statement hashed the whole units table on every read).
    static let cadreByCode = """
        SELECT c.code, c.full_name, c.unit_code, c.position, c.level, c.hometown, c.born::text, c.sex, c.party_since::text, c.planning,
               c.status, c.leave_from::text, c.leave_until::text, c.pregnant, c.child_born::text,
               (SELECT u.path FROM units u WHERE u.code = c.unit_code)
        FROM cadres c WHERE c.code = $1
        """

    func cadreRecord(_ row: PostgresRow) throws -> CadreRecord {
        let born = try row.day(6)
        let sex: String? = try row.decode(7)
        return CadreRecord(
            code: try row.decode(0), fullName: try row.decode(1), unit: try row.decode(2), position: try row.decode(3), level: try row.decode(4),
            hometown: try row.decode(5), born: born, sex: sex, partySince: try row.day(8), planning: try row.decode(9), status: try row.decode(10),
            leaveFrom: try row.day(11), leaveUntil: try row.day(12), pregnant: try row.decode(13), childBorn: try row.day(14),
            retiresOn: born.flatMap { born in sex.flatMap(Sex.init(rawValue:)).map { retirement.retirementDay(born: born, sex: $0) } }
        )
    }

    /// Adds a cadre to a unit in scope, with the first entry of its work history.
    public func addCadre(_ profile: CadreProfile, by requester: Requester, on connection: PostgresConnection) throws {
        try Self.requireScope([profile.unit], by: requester, on: connection)
        do {
            try connection.transaction { connection in
                _ = try connection.query(
                    """
                    INSERT INTO cadres (code, full_name, unit_code, position, level, hometown, born, sex, party_since, planning, status,
                                        leave_from, leave_until, pregnant, child_born)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                    """,
                    profile.code, profile.fullName, profile.unit, profile.position, profile.level.rawValue, profile.hometown, profile.born,
                    profile.sex?.rawValue, profile.partySince, profile.planning, profile.status.rawValue, profile.leaveFrom, profile.leaveUntil,
                    profile.pregnant, profile.childBorn
                )
                try connection.query(
                    """
                    INSERT INTO cadre_work_history (cadre_code, unit_code, position, level, valid_from, reason, recorded_by)
                    VALUES ($1, $2, $3, $4, $5, 'added', $6)
                    """,
                    profile.code, profile.unit, profile.position, profile.level.rawValue, profile.since ?? calendar.currentDay(), requester.login
                )
            }
        } catch {
            throw Self.mapped(error, record: "cadre \(profile.code)")
        }
    }

    /// One cadre, if their unit is in scope (one query: the row and its unit's path).
    public func cadre(_ code: String, by requester: Requester) async throws -> CadreRecord {
        try await pool.read(cadreRead(code, by: requester))
    }

    /// ``cadre(_:by:)`` as one read: the row and its unit's path in one statement, the scope
    /// checked as it is decoded. It can travel without a task (``PostgresPool/submit(_:completion:)``).
    public func cadreRead(_ code: String, by requester: Requester) -> PostgresRead<CadreRecord> {
        PostgresRead(Self.cadreByCode, [code]) { result in
            guard let row = result.rows.first else { throw DomainError(.notFound, "cadre \(code) does not exist") }
            let record = try cadreRecord(row)
            try requester.requireCovers(unit: record.unit, path: try row.decode(15))
            return record
        }
    }

    /// The cadres of a unit's subtree (default: the requester's scope), in one round trip
    /// when there are any: the unit, the scope check and the rows are one query.
    public func cadres(in unit: String?, by requester: Requester) async throws -> [CadreRecord] {
        guard let unit else {
            return try await pool.read(
                """
                SELECT \(Self.cadreColumns) FROM cadres c JOIN units u ON u.code = c.unit_code
                WHERE \(UnitScope.sqlCondition(path: "u.path", scope: "$1")) ORDER BY c.code LIMIT 10000
                """,
                [requester.scope.path]
            ) { try $0.rows.map(cadreRecord) }
        }
        let cadres = try await pool.read(
            """
            SELECT \(Self.cadreColumns) FROM units t
            JOIN units u ON u.path = t.path OR starts_with(u.path, t.path || '/')
            JOIN cadres c ON c.unit_code = u.code
            WHERE t.code = $1 AND \(UnitScope.sqlCondition(path: "t.path", scope: "$2")) ORDER BY c.code LIMIT 10000
            """,
            [unit, requester.scope.path]
        ) { try $0.rows.map(cadreRecord) }
        if !cadres.isEmpty { return cadres }
        // None: say whether the unit is missing or outside the scope, or simply empty.
        guard let path = try await pool.read("SELECT path FROM units WHERE code = $1", [unit], decode: { try $0.scalar(String.self) }) else {
            throw DomainError(.notFound, "unit \(unit) does not exist")
        }
        try requester.requireCovers(unit: unit, path: path)
        return []
    }

    /// Moves a cadre to another unit (both in scope) from a day (default today), closing the
    /// current work-history entry and opening the next. Returns the unit left.
    public func moveCadre(
        _ code: String, to unit: String, on day: CalendarDay?, position: String?, level: CadreLevel?, reason: String?,
        by requester: Requester, on connection: PostgresConnection
    ) throws -> String {
        guard let current = try connection.query("SELECT unit_code FROM cadres WHERE code = $1 FOR UPDATE", code).scalar(String.self) else {
            throw DomainError(.notFound, "cadre \(code) does not exist")
        }
        let date = day ?? calendar.currentDay()
        guard date <= calendar.currentDay() else { throw DomainError.invalid("date", "\(date) is in the future") }
        try Self.requireScope([current, unit], by: requester, on: connection)
        try Self.requireOpen(unit, on: date, connection: connection)
        try Self.moveCadres(.cadres([code]), to: unit, on: date, position: position, level: level?.rawValue, reason: reason ?? "moved", by: requester.login, connection: connection)
        return current
    }

    /// `conflict` unless the unit exists on that day.
    static func requireOpen(_ unit: String, on day: CalendarDay, connection: PostgresConnection) throws {
        guard let row = try connection.query("SELECT valid_from::text, valid_to::text FROM units WHERE code = $1", unit).rows.first else {
            throw DomainError(.notFound, "unit \(unit) does not exist")
        }
        if let from = try row.day(0), day < from { throw DomainError(.conflict, "unit \(unit) exists only from \(from)") }
        if let to = try row.day(1), day >= to { throw DomainError(.conflict, "unit \(unit) closed on \(to)") }
    }

    /// Which cadres a move takes.
    enum MoveSelection {
        /// These cadres.
        case cadres([String])
        /// Every cadre still in these units (not retired).
        case everyoneIn([String])
    }

    /// Moves cadres to a unit from a day, closing each one's open work-history entry and
    /// opening the next (a new post and level when given, else the current ones). Three
    /// statements, so the one open entry per cadre never doubles. Returns how many moved.
    @discardableResult
    static func moveCadres(
        _ selection: MoveSelection, to unit: String, on day: CalendarDay, position: String?, level: String?, reason: String, by login: String,
        connection: PostgresConnection
    ) throws -> Int {
        let locked: PostgresResult
        switch selection {
        case .cadres(let codes):
            locked = try connection.query("SELECT code FROM cadres WHERE code = ANY($1::text[]) ORDER BY code FOR UPDATE", codes)
        case .everyoneIn(let units):
            locked = try connection.query("SELECT code FROM cadres WHERE unit_code = ANY($1::text[]) AND status <> 'retired' ORDER BY code FOR UPDATE", units)
        }
        let codes = try locked.rows.map { try $0.decode(0, as: String.self) }
        guard !codes.isEmpty else { return 0 }
        _ = try connection.query(
            "UPDATE cadre_work_history SET valid_to = greatest(valid_from, $2::date) WHERE cadre_code = ANY($1::text[]) AND valid_to IS NULL", codes, day
        )
        return try connection.query(
            """
            WITH opened AS (
                INSERT INTO cadre_work_history (cadre_code, unit_code, position, level, valid_from, reason, recorded_by)
                SELECT code, $2, coalesce($4, position), coalesce($5, level), $3::date, $6, $7 FROM cadres WHERE code = ANY($1::text[]))
            UPDATE cadres SET unit_code = $2, position = coalesce($4, position), level = coalesce($5, level), version = version + 1, updated_at = now()
            WHERE code = ANY($1::text[])
            """,
            codes, unit, day, position, level, reason, login
        ).affectedRows
    }

    /// A cadre's work history, oldest first.
    public func history(of code: String, by requester: Requester) async throws -> [WorkHistoryEntry] {
        _ = try await cadre(code, by: requester)
        return try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT h.unit_code, u.name, h.position, h.level, h.valid_from::text, h.valid_to::text, h.reason
                FROM cadre_work_history h JOIN units u ON u.code = h.unit_code WHERE h.cadre_code = $1 ORDER BY h.valid_from, h.id
                """,
                code
            ).rows.map { row in
                WorkHistoryEntry(unit: try row.decode(0), unitName: try row.decode(1), position: try row.decode(2), level: try row.decode(3),
                                 from: try row.requiredDay(4), to: try row.day(5), reason: try row.decode(6))
            }
        }
    }

    /// Sets a cadre's status (active, on leave with dates, retired).
    public func setStatus(
        _ code: String, status: CadreStatus, from: CalendarDay?, until: CalendarDay?, by requester: Requester, on connection: PostgresConnection
    ) throws {
        guard let unit = try connection.query("SELECT unit_code FROM cadres WHERE code = $1 FOR UPDATE", code).scalar(String.self) else {
            throw DomainError(.notFound, "cadre \(code) does not exist")
        }
        try Self.requireScope([unit], by: requester, on: connection)
        if status != .onLeave, from != nil || until != nil { throw DomainError.invalid("from", "leave dates need status=on_leave") }
        if let from, let until, until < from { throw DomainError.invalid("until", "\(until) is before from \(from)") }
        try connection.query(
            "UPDATE cadres SET status = $2, leave_from = $3, leave_until = $4, version = version + 1, updated_at = now() WHERE code = $1",
            code, status.rawValue, from, until
        )
    }

    /// Records a disciplinary measure.
    public func addDiscipline(
        _ code: String, year: Int, form: DisciplineForm, decision: String, decidedOn: CalendarDay, by requester: Requester, on connection: PostgresConnection
    ) throws {
        guard let unit = try connection.query("SELECT unit_code FROM cadres WHERE code = $1", code).scalar(String.self) else {
            throw DomainError(.notFound, "cadre \(code) does not exist")
        }
        try Self.requireScope([unit], by: requester, on: connection)
        guard decidedOn.year == year || decidedOn.year == year + 1 else {
            throw DomainError.invalid("date", "\(decidedOn) is not in or just after the year \(year)")
        }
        try connection.query(
            "INSERT INTO cadre_discipline (cadre_code, year, form, decision, decided_on, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)",
            code, year, form.rawValue, decision, decidedOn, requester.login
        )
    }

    /// A cadre's disciplinary measures, oldest first.
    public func discipline(of code: String, by requester: Requester) async throws -> [DisciplineRecord] {
        _ = try await cadre(code, by: requester)
        return try await pool.withConnection { connection in
            try connection.query(
                "SELECT year, form, decision, decided_on::text FROM cadre_discipline WHERE cadre_code = $1 ORDER BY decided_on, id", code
            ).rows.map { DisciplineRecord(year: try $0.decode(0), form: try $0.decode(1), decision: try $0.decode(2), decidedOn: try $0.requiredDay(3)) }
        }
    }
}
