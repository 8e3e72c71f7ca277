import CadreflowPostgres
import CadreflowProtocol

/// `idem=<key>` on state-changing commands: the first successful reply is stored per
/// account and key; a repeat of the same command gets it back and changes nothing; the
/// same key on a different command is a conflict. Failed commands change nothing, so
/// their replies are not stored and a retry simply runs again.
struct RequestIdempotency {
    let pool: PostgresPool

    /// The stored reply for this key, if the same command already succeeded with it.
    func stored(login: String, key: String, command: String) async throws -> Reply? {
        let row = try await pool.withConnection { connection -> [String]? in
            try connection.query("SELECT command, reply FROM request_idempotency WHERE login = $1 AND key = $2", login, key)
                .rows.first.map { [try $0.decode(0), try $0.decode(1)] }
        }
        guard let row else { return nil }
        guard row[0] == command else {
            throw ProtocolError(.conflict, "idem=\(key) was used for another command: \(row[0])")
        }
        return .ok(row[1])
    }

    /// Remembers a successful reply.
    func remember(login: String, key: String, command: String, reply: Reply) async {
        guard case .ok(let text) = reply else { return }
        _ = try? await pool.withConnection { connection in
            _ = try connection.query(
                "INSERT INTO request_idempotency (login, key, command, reply) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                login, key, command, text
            )
        }
    }
}
