/// An error from PostgreSQL or from the access layer, with an extensible ``Code``.
///
/// Server errors carry the SQLSTATE and the server's fields (message, detail,
/// constraint, column); client-side errors (a lost connection, a NULL where a value
/// was expected, an exhausted pool) carry a message naming what went wrong.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case uniqueViolation, foreignKeyViolation, checkViolation, notNullViolation
            case serializationFailure, deadlockDetected, lockNotAvailable, queryCanceled
            case invalidInput, undefinedObject, syntaxError
            case connectionFailed, connectionLost
            case pipelineAborted, decoding, poolExhausted, poolClosed, unexpectedResult
            case server
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// 23505: a unique constraint or index rejected the row.
        public static let uniqueViolation = Code(.uniqueViolation)
        /// 23503: a foreign key rejected the row.
        public static let foreignKeyViolation = Code(.foreignKeyViolation)
        /// 23514: a CHECK constraint rejected the row.
        public static let checkViolation = Code(.checkViolation)
        /// 23502: NULL in a NOT NULL column.
        public static let notNullViolation = Code(.notNullViolation)
        /// 40001: a serializable transaction lost a race; retry it.
        public static let serializationFailure = Code(.serializationFailure)
        /// 40P01: the transaction was chosen as a deadlock victim; retry it.
        public static let deadlockDetected = Code(.deadlockDetected)
        /// 55P03: NOWAIT or lock_timeout could not take a lock.
        public static let lockNotAvailable = Code(.lockNotAvailable)
        /// 57014: the statement was cancelled (statement_timeout or a cancel request).
        public static let queryCanceled = Code(.queryCanceled)
        /// Class 22: a value the server could not accept (bad number, date, text encoding).
        public static let invalidInput = Code(.invalidInput)
        /// 42P01, 42703, 42883 …: a table, column or function that does not exist.
        public static let undefinedObject = Code(.undefinedObject)
        /// 42601: SQL that does not parse.
        public static let syntaxError = Code(.syntaxError)
        /// The server could not be reached when connecting.
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke during a statement (server restart, network, shutdown).
        public static let connectionLost = Code(.connectionLost)
        /// A pipelined statement was skipped because an earlier one in its sync group failed.
        public static let pipelineAborted = Code(.pipelineAborted)
        /// A result value could not be decoded to the requested Swift type.
        public static let decoding = Code(.decoding)
        /// No pooled connection became free within the checkout timeout.
        public static let poolExhausted = Code(.poolExhausted)
        /// The pool was closed.
        public static let poolClosed = Code(.poolClosed)
        /// libpq returned a result status the call did not expect.
        public static let unexpectedResult = Code(.unexpectedResult)
        /// Any other server error; see ``PostgresError/sqlState``.
        public static let server = Code(.server)

        public var description: String { base.rawValue }

        /// The code for a SQLSTATE reported by the server.
        public static func forSQLState(_ state: String) -> Code {
            switch state {
            case "23505": return .uniqueViolation
            case "23503": return .foreignKeyViolation
            case "23514": return .checkViolation
            case "23502": return .notNullViolation
            case "40001": return .serializationFailure
            case "40P01": return .deadlockDetected
            case "55P03": return .lockNotAvailable
            case "57014": return .queryCanceled
            case "42601": return .syntaxError
            case "42P01", "42703", "42883", "42704", "3D000", "3F000": return .undefinedObject
            // admin_shutdown, crash_shutdown, cannot_connect_now, and class 08 (connection exception).
            case "57P01", "57P02", "57P03": return .connectionLost
            default:
                if state.hasPrefix("08") { return .connectionLost }
                if state.hasPrefix("22") { return .invalidInput }
                return .server
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The five-character SQLSTATE, for errors the server reported.
    public var sqlState: String?
    /// The primary message.
    public var message: String
    /// The server's DETAIL field, if any.
    public var detail: String?
    /// The server's HINT field, if any.
    public var hint: String?
    /// The constraint that was violated, if any.
    public var constraint: String?
    /// The table the error concerns, if the server named one.
    public var table: String?
    /// The column the error concerns (server-reported, or the column being decoded).
    public var column: String?
    /// The position of the failing statement in a pipeline or batch, if any.
    public var statementIndex: Int?

    /// Creates an error; most are made by the access layer itself.
    public init(
        code: Code, message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    /// True for failures that a caller may cure by running the same transaction again.
    public var isRetryable: Bool {
        code == .serializationFailure || code == .deadlockDetected
    }

    /// True when a statement ran out of time: its `statement_timeout` or `lock_timeout`.
    public var isTimeout: Bool {
        code == .queryCanceled || code == .lockNotAvailable
    }

    /// True when the connection itself is gone and must be replaced.
    public var isConnectionFailure: Bool {
        code == .connectionLost || code == .connectionFailed
    }

    public var description: String {
        var text = "\(code)"
        if let sqlState { text += " (\(sqlState))" }
        text += ": \(message)"
        if let detail { text += " — \(detail)" }
        if let constraint { text += " [constraint \(constraint)]" }
        if let column { text += " [column \(column)]" }
        if let statementIndex { text += " [statement \(statementIndex)]" }
        return text
    }
}
