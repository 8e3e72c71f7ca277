import CadreflowPostgres
import CadreflowProtocol
import CadreflowRules

/// USER ADD, USER LIST, USER PASSWD, USER DISABLE: accounts (admins only, but anyone may
/// change their own password).
enum UserCommands {
    static let all: [CommandSpec] = [
        CommandSpec(
            name: "USER ADD",
            usage: "USER ADD <login> role=admin|organizer|manager|viewer password=<text> [unit=<unit>] [head=yes|no] [cadre=<cadre>]",
            summary: "create an account", roles: [.admin]
        ) { (request: Request, _: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let login = try request.word(2, "login")
            try request.allowOnly(["role", "password", "unit", "head", "cadre"])
            guard let role = Role(rawValue: try request.required("role")) else {
                throw ProtocolError(.invalid, "role: admin, organizer, manager or viewer")
            }
            let isHead = try YesNo.parse(request.option("head"), field: "head")
            let unit = request.option("unit")
            let cadre = request.option("cadre")
            let hash = try await AccountStore.hashChecked(try request.required("password"), role: role, unit: unit)
            return .inTransaction { connection in
                try AccountStore.insert(login: login, role: role, hash: hash, unit: unit, isHead: isHead, cadre: cadre, on: connection)
                return .ok(login)
            }
        },
        CommandSpec(name: "USER LIST", usage: "USER LIST", summary: "accounts", roles: [.admin]) { (_: Request, _: SessionState, context: ServerContext) async throws -> Reply in
            let rows = try await context.pool.withConnection { connection in
                try connection.query(
                    """
                    SELECT login, role, coalesce(unit_code, ''), CASE WHEN is_head THEN 'yes' ELSE 'no' END, coalesce(cadre_code, ''),
                           CASE WHEN disabled THEN 'disabled' WHEN locked_until > now() THEN 'locked' ELSE 'active' END
                    FROM accounts ORDER BY login
                    """
                ).rows.map { row in try (0..<6).map { try row.decode($0, as: String.self) } }
            }
            return .table(DataTable(columns: ["login", "role", "unit", "head", "cadre", "status"], rows: rows))
        },
        CommandSpec(
            name: "USER PASSWD", usage: "USER PASSWD <login> password=<new> [old=<current>]",
            summary: "change a password (your own with old=, anyone's as admin)", roles: Set(Role.allCases)
        ) { (request: Request, session: inout SessionState, context: ServerContext) async throws -> CommandWrite in
            let account = try session.requireAccount()
            let login = try request.word(2, "login")
            try request.allowOnly(["password", "old"])
            let password = try request.required("password")
            if account.role != .admin {
                guard login == account.login else { throw ProtocolError(.denied, "you may change only your own password") }
                _ = try await context.accounts.authenticate(login: login, password: try request.required("old"))
            }
            let hash = try await AccountStore.hashChecked(password, role: .admin, unit: nil)
            return .inTransaction { connection in
                try AccountStore.updatePassword(login: login, hash: hash, on: connection)
                return .ok(login)
            }
        },
        CommandSpec(name: "USER DISABLE", usage: "USER DISABLE <login>", summary: "disable an account", roles: [.admin]) { (request: Request, session: inout SessionState, _: ServerContext) async throws -> CommandWrite in
            let login = try request.word(2, "login")
            guard login != session.account?.login else { throw ProtocolError(.conflict, "you cannot disable yourself") }
            return .inTransaction { connection in
                let changed = try connection.query("UPDATE accounts SET disabled = true WHERE login = $1", login).affectedRows
                guard changed == 1 else { throw ProtocolError(.notFound, "no user \(login)") }
                return .ok(login)
            }
        },
    ]
}
