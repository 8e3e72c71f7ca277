import CadreflowPostgres
import CadreflowProtocol

/// UNIT ADD, UNIT SHOW, UNIT LIST: the organisation tree.
enum UnitCommands {
    static let columns = ["code", "name", "parent", "kind", "locality", "path"]

    static let all: [CommandSpec] = [
        CommandSpec(
            name: "UNIT ADD", usage: "UNIT ADD <unit> name=<text> [parent=<unit>] [kind=<word>] [locality=<code>]",
            summary: "add a unit under a parent (an organizer: inside its subtree)", roles: [.admin, .organizer], changesState: true
        ) { request, session, context in
            let account = try session.requireAccount()
            let code = try request.word(2, "unit")
            try request.allowOnly(["name", "parent", "kind", "locality"])
            let name = try request.required("name")
            let parent = request.option("parent")
            let kind = request.option("kind") ?? "unit"
            let locality = request.option("locality")
            guard code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }), code.count <= 64 else {
                throw ProtocolError(.invalid, "unit: use up to 64 letters, digits, _ . -")
            }
            if parent == nil, account.role != .admin {
                throw ProtocolError(.denied, "only an admin adds a root unit")
            }
            do {
                return try await context.pool.withTransaction { connection -> Reply in
                    var path = code
                    if let parent {
                        guard let parentPath = try connection.query("SELECT path FROM units WHERE code = $1", parent).scalar(String.self) else {
                            throw ProtocolError(.notFound, "parent unit \(parent) does not exist")
                        }
                        try Scope.require(account, covers: parent, path: parentPath)
                        path = parentPath + "/" + code
                    }
                    try connection.query(
                        "INSERT INTO units (code, name, parent_code, kind, locality, path) VALUES ($1, $2, $3, $4, $5, $6)",
                        code, name, parent, kind, locality, path
                    )
                    return .ok(code)
                }
            } catch let error as PostgresError where error.code == .uniqueViolation {
                throw ProtocolError(.conflict, "unit \(code) exists already")
            } catch let error as PostgresError where error.code == .checkViolation {
                throw ProtocolError(.invalid, "unit \(code): \(error.message)")
            }
        },
        CommandSpec(name: "UNIT SHOW", usage: "UNIT SHOW <unit>", summary: "one unit", roles: Set(Role.allCases), changesState: false) { request, session, context in
            let account = try session.requireAccount()
            let code = try request.word(2, "unit")
            let row = try await context.pool.withConnection { connection -> [String]? in
                let result = try connection.query("SELECT code, name, coalesce(parent_code, ''), kind, coalesce(locality, ''), path FROM units WHERE code = $1", code)
                return try result.rows.first.map { row in try (0..<6).map { try row.decode($0, as: String.self) } }
            }
            guard let row else { throw ProtocolError(.notFound, "unit \(code) does not exist") }
            try Scope.require(account, covers: code, path: row[5])
            return .table(DataTable(columns: columns, rows: [row]))
        },
        CommandSpec(name: "UNIT LIST", usage: "UNIT LIST [parent=<unit>]", summary: "units in your scope (children of a parent)", roles: Set(Role.allCases), changesState: false) { request, session, context in
            let account = try session.requireAccount()
            try request.allowOnly(["parent"])
            let parent = request.option("parent")
            let scope = account.unitPath
            let rows = try await context.pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT code, name, coalesce(parent_code, ''), kind, coalesce(locality, ''), path FROM units
                    WHERE ($1::text IS NULL OR path = $1 OR path LIKE $1 || '/%') AND ($2::text IS NULL OR parent_code = $2)
                    ORDER BY path LIMIT 10000
                    """,
                    scope, parent
                ).rows.map { row in try (0..<6).map { try row.decode($0, as: String.self) } }
            }
            return .table(DataTable(columns: columns, rows: rows))
        },
    ]
}
