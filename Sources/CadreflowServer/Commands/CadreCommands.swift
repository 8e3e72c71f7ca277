import CadreflowPostgres
import CadreflowProtocol
import Foundation

/// CADRE ADD, CADRE SHOW, CADRE LIST, CADRE MOVE.
enum CadreCommands {
    static let columns = ["code", "name", "unit", "position", "level", "hometown", "born", "sex", "party_since", "planning", "status"]
    static let select = """
        SELECT code, full_name, unit_code, coalesce(position, ''), level, coalesce(hometown, ''), coalesce(born::text, ''),
               coalesce(sex, ''), coalesce(party_since::text, ''), CASE WHEN planning THEN 'yes' ELSE 'no' END, status
        FROM cadres
        """

    /// Checks the optional cadre fields of a request or an import row; errors name the field.
    static func validated(level: String?, born: String?, sex: String?, partySince: String?, planning: String?) throws(ProtocolError) -> (level: String, born: LocalDate?, sex: String?, partySince: LocalDate?, planning: Bool) {
        let level = level.flatMap { $0.isEmpty ? nil : $0 } ?? "staff"
        guard ["head", "deputy", "staff"].contains(level) else { throw ProtocolError(.invalid, "level: head, deputy or staff") }
        func date(_ value: String?, _ name: String) throws(ProtocolError) -> LocalDate? {
            guard let value, !value.isEmpty else { return nil }
            guard let date = LocalDate(value) else { throw ProtocolError(.invalid, "\(name): \(value) is not a date YYYY-MM-DD") }
            return date
        }
        let sex = sex.flatMap { $0.isEmpty ? nil : $0 }
        if let sex, sex != "m", sex != "f" { throw ProtocolError(.invalid, "sex: m or f") }
        let planningText = planning.flatMap { $0.isEmpty ? nil : $0 } ?? "no"
        guard planningText == "yes" || planningText == "no" else { throw ProtocolError(.invalid, "planning: yes or no") }
        return (level, try date(born, "born"), sex, try date(partySince, "party_since"), planningText == "yes")
    }

    static let all: [CommandSpec] = [
        CommandSpec(
            name: "CADRE ADD",
            usage: "CADRE ADD <cadre> name=<text> unit=<unit> [position=<text>] [level=head|deputy|staff] [hometown=<code>] [born=<date>] [sex=m|f] [party_since=<date>] [planning=yes|no]",
            summary: "add a cadre to a unit in your scope", roles: [.admin, .organizer], changesState: true
        ) { request, session, context in
            let account = try session.requireAccount()
            let code = try request.word(2, "cadre")
            try request.allowOnly(["name", "unit", "position", "level", "hometown", "born", "sex", "party_since", "planning"])
            let name = try request.required("name")
            let unit = try request.required("unit")
            let fields = try validated(level: request.option("level"), born: request.option("born"), sex: request.option("sex"),
                                       partySince: request.option("party_since"), planning: request.option("planning"))
            let position = request.option("position")
            let hometown = request.option("hometown")
            do {
                return try await context.pool.withTransaction { connection -> Reply in
                    try Scope.require(account, covers: unit, path: try Scope.unitPath(unit, connection))
                    _ = try connection.query(
                        """
                        INSERT INTO cadres (code, full_name, unit_code, position, level, hometown, born, sex, party_since, planning)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                        """,
                        code, name, unit, position, fields.level, hometown, fields.born, fields.sex, fields.partySince, fields.planning
                    )
                    return .ok(code)
                }
            } catch let error as PostgresError where error.code == .uniqueViolation {
                throw ProtocolError(.conflict, "cadre \(code) exists already")
            } catch let error as PostgresError where error.code == .checkViolation {
                throw ProtocolError(.invalid, "cadre \(code): \(error.constraint ?? error.message)")
            }
        },
        CommandSpec(name: "CADRE SHOW", usage: "CADRE SHOW <cadre>", summary: "one cadre", roles: Set(Role.allCases), changesState: false) { request, session, context in
            let account = try session.requireAccount()
            let code = try request.word(2, "cadre")
            let row = try await context.pool.withConnection { connection -> [String]? in
                guard let row = try connection.query("\(select) WHERE code = $1", code).rows.first else { return nil }
                let fields = try (0..<11).map { try row.decode($0, as: String.self) }
                try Scope.require(account, covers: fields[2], path: try Scope.unitPath(fields[2], connection))
                return fields
            }
            guard let row else { throw ProtocolError(.notFound, "cadre \(code) does not exist") }
            return .table(DataTable(columns: columns, rows: [row]))
        },
        CommandSpec(name: "CADRE LIST", usage: "CADRE LIST [unit=<unit>]", summary: "cadres of a unit's subtree (your scope by default)", roles: Set(Role.allCases), changesState: false) { request, session, context in
            let account = try session.requireAccount()
            try request.allowOnly(["unit"])
            let unit = request.option("unit")
            let rows = try await context.pool.withConnection { connection in
                var path = account.unitPath
                if let unit {
                    let unitPath = try Scope.unitPath(unit, connection)
                    try Scope.require(account, covers: unit, path: unitPath)
                    path = unitPath
                }
                return try connection.query(
                    "\(select) WHERE ($1::text IS NULL OR unit_code IN (SELECT code FROM units WHERE path = $1 OR path LIKE $1 || '/%')) ORDER BY code LIMIT 10000",
                    path
                ).rows.map { row in try (0..<11).map { try row.decode($0, as: String.self) } }
            }
            return .table(DataTable(columns: columns, rows: rows))
        },
        CommandSpec(name: "CADRE MOVE", usage: "CADRE MOVE <cadre> unit=<unit> [reason=<text>]", summary: "move a cadre to another unit (both in your scope)", roles: [.admin, .organizer], changesState: true) { request, session, context in
            let account = try session.requireAccount()
            let code = try request.word(2, "cadre")
            try request.allowOnly(["unit", "reason"])
            let target = try request.required("unit")
            return try await context.pool.withTransaction { connection -> Reply in
                guard let current = try connection.query("SELECT unit_code FROM cadres WHERE code = $1 FOR UPDATE", code).scalar(String.self) else {
                    throw ProtocolError(.notFound, "cadre \(code) does not exist")
                }
                try Scope.require(account, covers: current, path: try Scope.unitPath(current, connection))
                try Scope.require(account, covers: target, path: try Scope.unitPath(target, connection))
                _ = try connection.query("UPDATE cadres SET unit_code = $2, version = version + 1, updated_at = now() WHERE code = $1", code, target)
                return .ok("\(code) \(current) -> \(target)")
            }
        },
    ]
}
