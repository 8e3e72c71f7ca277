import CadreflowPostgres
import CadreflowProtocol

/// `idem=<key>` on state-changing commands, inside the command's own transaction.
///
/// The key is claimed first (a row with no reply yet): a second request with the same key
/// (another connection, another service instance) waits on the claim until the first
/// commits or rolls back. The first's reply is stored before its COMMIT, with its change,
/// so a retry after a lost reply — even after a restart — gets that reply and changes
/// nothing. A failed command rolls its claim back, so a retry runs again. The same key on
/// a different command is `ERR CONFLICT`.
struct RequestIdempotency {
    let login: String
    let key: String
    /// The command as audited, without its `idem=`.
    let command: String

    /// The stored reply when the key was used already, else nil (the key is now claimed).
    func claim(on connection: PostgresConnection) throws -> Reply? {
        let claimed = try connection.query(
            "INSERT INTO request_idempotency (login, key, command, reply) VALUES ($1, $2, $3, NULL) ON CONFLICT DO NOTHING RETURNING 1",
            login, key, command
        ).rowCount == 1
        if claimed { return nil }
        guard let row = try connection.query("SELECT command, reply FROM request_idempotency WHERE login = $1 AND key = $2", login, key).rows.first else {
            throw ProtocolError(.conflict, "idem=\(key) is in use by a request still running; try again")
        }
        let storedCommand: String = try row.decode(0)
        guard storedCommand == command else {
            throw ProtocolError(.conflict, "idem=\(key) was used for another command: \(storedCommand)")
        }
        guard let reply: String = try row.decode(1) else {
            throw ProtocolError(.conflict, "idem=\(key) is in use by a request still running; try again")
        }
        return .ok(reply)
    }

    /// The reply stored for the key by an earlier request of this command, if any: for
    /// commands that commit on their own (`.committing`), which look it up before they run.
    /// The same key on another command is `ERR CONFLICT`; a claim still running is none.
    func storedReply(on connection: PostgresConnection) throws -> Reply? {
        guard let row = try connection.query("SELECT command, reply FROM request_idempotency WHERE login = $1 AND key = $2", login, key).rows.first else {
            return nil
        }
        let storedCommand: String = try row.decode(0)
        guard storedCommand == command else {
            throw ProtocolError(.conflict, "idem=\(key) was used for another command: \(storedCommand)")
        }
        let reply: String? = try row.decode(1)
        return reply.map { .ok($0) }
    }

    /// Keeps the `OK` reply of a command that committed on its own, for its retries. It is
    /// stored after that commit, not in it: a crash in between leaves the retry to run the
    /// command again, which such commands answer truthfully (their engine key replays the
    /// move; a month opened already is reported as such).
    func remember(_ reply: Reply, on connection: PostgresConnection) throws {
        guard case .ok(let text) = reply else { return }
        try connection.query(
            "INSERT INTO request_idempotency (login, key, command, reply) VALUES ($1, $2, $3, $4) ON CONFLICT (login, key) DO NOTHING",
            login, key, command, text
        )
    }

    /// Stores the reply of the claimed key (an `OK` line); any other reply gives the claim
    /// up, so a retry runs the command again.
    func store(_ reply: Reply, on connection: PostgresConnection) throws {
        if case .ok(let text) = reply {
            try connection.query("UPDATE request_idempotency SET reply = $3 WHERE login = $1 AND key = $2", login, key, text)
        } else {
            try connection.query("DELETE FROM request_idempotency WHERE login = $1 AND key = $2", login, key)
        }
    }
}
