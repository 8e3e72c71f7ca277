import CadreflowPostgres
import CadreflowProtocol
import CadreflowRules
import Foundation
import Logging

/// Accounts in PostgreSQL: login with lockout, creation, the first admin.
public struct AccountStore: Sendable {
    /// Failed logins in a row that lock an account, and for how long.
    public struct Lockout: Sendable {
        /// Failures that lock.
        public var failures: Int
        /// Lock duration in seconds.
        public var seconds: Int

        /// A lockout policy.
        public init(failures: Int, seconds: Int) {
            self.failures = failures
            self.seconds = seconds
        }
    }

    let pool: PostgresPool
    let lockout: Lockout
    private let turns = LoginTurns()

    /// A store on a pool with a lockout policy.
    public init(pool: PostgresPool, lockout: Lockout) {
        self.pool = pool
        self.lockout = lockout
    }

    /// Checks a login. Every failure reads the same (`ERR AUTH login failed`), whether the
    /// login is unknown, locked, disabled or the password wrong; the log says which.
    ///
    /// The attempt is counted before the slow hash, in the same statement that reads the
    /// account: it takes the row's lock, adds one to the failures and, at the limit, locks
    /// the account. A locked account's guess is never checked, so however many guesses
    /// arrive at once, at most the limit is ever tried. A right password clears the count.
    /// One login's attempts take turns (``LoginTurns``), so right passwords sent at once
    /// each clear the count before the next is counted.
    public func authenticate(login: String, password: String, logger: Logger? = nil) async throws -> Account {
        let account = try await turns.inTurn(login) {
            try await attempt(login: login, password: password, logger: logger)
        }
        guard let account else {
            // Unknown or locked: spend the time of a real check (out of turn, on no stored
            // hash), so timing tells nothing either.
            _ = try await PasswordHasher.hash(password)
            throw ProtocolError(.auth, "login failed")
        }
        return account
    }

    /// One attempt in turn: the account, nil when it is unknown or locked (no guess was
    /// checked), or `ERR AUTH` after a check that failed.
    private func attempt(login: String, password: String, logger: Logger?) async throws -> Account? {
        struct Row: Sendable { var hash: PasswordHasher.Hash; var disabled: Bool; var account: Account }
        let lockout = self.lockout
        let row = try await pool.withConnection { connection -> Row? in
            let result = try connection.query(
                """
                WITH attempt AS (
                    UPDATE accounts SET
                        failed_logins = CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END,
                        locked_until = CASE WHEN (CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END) >= $2
                                            THEN now() + make_interval(secs => $3) END
                    WHERE login = $1 AND NOT coalesce(locked_until > now(), false)
                    RETURNING login, password_salt, password_hash, password_rounds, disabled, role, unit_code, is_head, cadre_code
                )
                SELECT a.password_salt, a.password_hash, a.password_rounds, a.disabled, a.role, a.unit_code, u.path, a.is_head, a.cadre_code
                FROM attempt a LEFT JOIN units u ON u.code = a.unit_code
                """,
                login, lockout.failures, lockout.seconds
            )
            guard let row = result.rows.first else { return nil }
            let role = Role(rawValue: try row.decode(4)) ?? .viewer
            return Row(
                hash: PasswordHasher.Hash(salt: try row.decode(0), key: try row.decode(1), rounds: try row.decode(2)),
                disabled: try row.decode(3),
                account: Account(login: login, role: role, unit: try row.decode(5), unitPath: role == .admin ? nil : try row.decode(6),
                                 isHead: try row.decode(7), cadre: try row.decode(8))
            )
        }
        let denied = ProtocolError(.auth, "login failed")
        guard let row else {
            // Unknown or locked: the same answer; the log tells them apart.
            let known = try await pool.withConnection { connection in
                try connection.query("SELECT 1 FROM accounts WHERE login = $1", login).rowCount > 0
            }
            logger?.info("login refused", metadata: ["login": "\(login)", "reason": "\(known ? "locked after repeated failures" : "unknown login")"])
            return nil
        }
        guard try await PasswordHasher.verify(password, against: row.hash) else {
            logger?.info("login refused", metadata: ["login": "\(login)", "reason": "wrong password"])
            throw denied
        }
        try await pool.withConnection { connection in
            _ = try connection.query("UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE login = $1", login)
        }
        guard !row.disabled else {
            logger?.info("login refused", metadata: ["login": "\(login)", "reason": "account disabled"])
            throw denied
        }
        return row.account
    }

    /// Creates an account; the password is hashed here and never stored or logged as is.
    public func create(login: String, role: Role, password: String, unit: String?, isHead: Bool, cadre: String?) async throws {
        let hash = try await Self.hashChecked(password, role: role, unit: unit)
        try await pool.withConnection { connection in
            try Self.insert(login: login, role: role, hash: hash, unit: unit, isHead: isHead, cadre: cadre, on: connection)
        }
    }

    /// Checks a new account's password and unit, and hashes the password (slow: before any transaction).
    static func hashChecked(_ password: String, role: Role, unit: String?) async throws -> PasswordHasher.Hash {
        guard password.count >= 8 else { throw ProtocolError(.invalid, "password: at least 8 characters") }
        guard role == .admin || unit != nil else { throw ProtocolError(.invalid, "unit: required for the role \(role.rawValue)") }
        return try await PasswordHasher.hash(password)
    }

    /// Inserts an account inside the caller's transaction.
    static func insert(login: String, role: Role, hash: PasswordHasher.Hash, unit: String?, isHead: Bool, cadre: String?, on connection: PostgresConnection) throws {
        do {
            try connection.transaction { connection in
                _ = try connection.query(
                    """
                    INSERT INTO accounts (login, role, unit_code, cadre_code, is_head, password_salt, password_hash, password_rounds)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    """,
                    login, role.rawValue, unit, cadre, isHead, hash.salt, hash.key, hash.rounds
                )
            }
        } catch let error as PostgresError {
            switch error.code {
            case .uniqueViolation: throw ProtocolError(.conflict, "user \(login) exists already")
            case .foreignKeyViolation: throw ProtocolError(.notFound, "\(error.constraint?.contains("cadre") == true ? "cadre \(cadre ?? "")" : "unit \(unit ?? "")") does not exist")
            case .checkViolation: throw ProtocolError(.invalid, "login: use 1 to 64 letters, digits, _ . @ -")
            default: throw error
            }
        }
    }

    /// Sets a new password (hashed here) and clears any lockout.
    public func setPassword(login: String, password: String) async throws {
        let hash = try await Self.hashChecked(password, role: .admin, unit: nil)
        try await pool.withConnection { connection in try Self.updatePassword(login: login, hash: hash, on: connection) }
    }

    /// Stores a new password hash inside the caller's transaction.
    static func updatePassword(login: String, hash: PasswordHasher.Hash, on connection: PostgresConnection) throws {
        let changed = try connection.query(
            "UPDATE accounts SET password_salt = $2, password_hash = $3, password_rounds = $4, failed_logins = 0, locked_until = NULL WHERE login = $1",
            login, hash.salt, hash.key, hash.rounds
        ).affectedRows
        guard changed == 1 else { throw ProtocolError(.notFound, "no user \(login)") }
    }

    /// On a database without an admin account (new, or holding only a demo city's accounts),
    /// creates `admin` with the given password, or with a
    /// random one that is logged once. Returns the generated password, if any.
    @discardableResult
    public func bootstrapAdmin(password: String?, logger: Logger) async throws -> String? {
        let empty = try await pool.withConnection { try $0.query("SELECT NOT EXISTS (SELECT 1 FROM accounts WHERE role = 'admin')").scalar(Bool.self) ?? false }
        guard empty else { return nil }
        let chosen = password.flatMap { $0.isEmpty ? nil : $0 }
        let secret = chosen ?? PasswordHasher.hex((0..<12).map { _ in UInt8.random(in: .min ... .max) })
        try await create(login: "admin", role: .admin, password: secret, unit: nil, isHead: false, cadre: nil)
        if chosen == nil {
            logger.notice("created the first account: admin, with a generated password shown only now", metadata: ["password": "\(secret)"])
            return secret
        }
        logger.notice("created the first account: admin (password from CADREFLOW_ADMIN_PASSWORD)")
        return nil
    }
}
