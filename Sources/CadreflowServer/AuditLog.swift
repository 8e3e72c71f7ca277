import CadreflowPostgres
import CadreflowProtocol

/// Appends to the audit trail: who, from where, the command with secrets masked, the result.
public struct AuditLog: Sendable {
    let pool: PostgresPool

    /// An audit log on a pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Option keys whose values never reach the audit trail or the logs.
    static let secretKeys: Set<String> = ["password", "new_password", "old_password", "old"]

    /// The request as text with secrets replaced by `***` (AUTH's password too).
    public static func masked(_ request: Request) -> String {
        var words = request.words
        if request.command == "AUTH", words.count > 2 { words[2] = "***" }
        let options = request.options.map { secretKeys.contains($0.key) ? "\($0.key)=***" : "\($0.key)=\(RequestQuoting.quote($0.value))" }
        return (words.map(RequestQuoting.quote) + options).joined(separator: " ")
    }

    /// The statement that appends one row (to run inside the command's own transaction).
    static func statement(login: String?, peer: String, command: String, result: String) -> PostgresStatement {
        PostgresStatement(sql: "INSERT INTO audit_log (login, peer, command, result) VALUES ($1, $2, $3, $4)", parameters: [login, peer, command, result])
    }

    /// Records one command and its result (`OK`, `GO` or `ERR CODE`) on its own: for
    /// commands that changed nothing (refused, failed, replayed, AUTH).
    public func record(login: String?, peer: String, request: Request, result: String) async {
        let statement = Self.statement(login: login, peer: peer, command: AuditLog.masked(request), result: result)
        _ = try? await pool.withConnection { connection in
            _ = try connection.query(statement.sql, parameters: statement.parameters)
        }
    }
}
