import CLibPQ
import Foundation

/// One libpq connection to PostgreSQL.
///
/// Every call blocks its thread until the server answers, so a connection lives on a
/// thread of its own (see ``PostgresPool``), never on Swift's cooperative pool or an
/// event loop. It is deliberately not `Sendable`: one owner at a time.
public final class PostgresConnection {
    let handle: OpaquePointer
    private var transactionDepth = 0
    /// SQL texts prepared on this session, by text (see `prepareRepeatedStatements`).
    var preparedStatements: [String: String] = [:]
    /// Set once a call found the connection gone; the pool then replaces it.
    public private(set) var isBroken = false
    /// When the connection last finished a call (for idle health checks).
    public internal(set) var lastUsed = ContinuousClock.now

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        PQfinish(handle)
    }

    /// Opens a connection from a libpq connection string (`host=/path/to/socket port=5432 dbname=x`,
    /// or a `postgresql://` URL) and sets the session up for this layer (UTF-8, ISO dates, UTC).
    public static func connect(_ conninfo: String) throws -> PostgresConnection {
        guard let handle = PQconnectdb(conninfo) else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw PostgresError(code: .connectionFailed, message: message.isEmpty ? "cannot connect" : message)
        }
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        let connection = PostgresConnection(handle: handle)
        try connection.execute("SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'")
        return connection
    }

    /// Whether the server at a connection string accepts connections (libpq's PQping).
    public static func ping(_ conninfo: String) -> Bool {
        PQping(conninfo) == PQPING_OK
    }

    /// The server's process id for this session.
    public var backendPID: Int { Int(PQbackendPID(handle)) }

    /// True while libpq considers the connection usable and no call has found it gone.
    public var isUsable: Bool { !isBroken && PQstatus(handle) == CONNECTION_OK }

    /// True while a transaction is open on this connection.
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Runs one parameterised statement and returns its result.
    ///
    /// Values travel as parameters (`$1`, `$2` …), never inside the SQL text.
    @discardableResult
    public func query(_ sql: String, _ binds: [any PostgresEncodable] = []) throws -> PostgresResult {
        try query(sql, parameters: binds.map { $0.postgresText })
    }

    /// Runs one parameterised statement with variadic parameters.
    @discardableResult
    public func query(_ sql: String, _ first: any PostgresEncodable, _ rest: any PostgresEncodable...) throws -> PostgresResult {
        try query(sql, [first] + rest)
    }

    /// Runs one statement whose parameters are already in text form (nil is NULL).
    @discardableResult
    public func query(_ sql: String, parameters: [String?]) throws -> PostgresResult {
        let raw = try withCStringArray(parameters) { pointers in
            PQexecParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        return try checked(raw)
    }

    /// Runs SQL text without parameters through the simple protocol: it may hold several
    /// statements (migrations, session settings). Never build this text from input values.
    public func execute(_ sql: String) throws {
        _ = try checked(PQexec(handle, sql))
    }

    /// A round trip that proves the connection works.
    public func ping() throws {
        _ = try checked(PQexec(handle, ""))
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    /// Nested calls become savepoints.
    public func transaction<T>(
        _ isolation: TransactionIsolation = .readCommitted,
        _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        let depth = transactionDepth
        let savepoint = "cadreflow_sp_\(depth)"
        if depth == 0 {
            try execute(isolation.beginStatement)
        } else {
            try execute("SAVEPOINT \(savepoint)")
        }
        transactionDepth += 1
        defer { transactionDepth = depth }
        let value: T
        do {
            value = try body(self)
        } catch {
            if !isBroken {
                try? execute(depth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint)")
            }
            throw error
        }
        if depth == 0 {
            try endTransaction("COMMIT")
        } else {
            try execute("RELEASE SAVEPOINT \(savepoint)")
        }
        return value
    }

    /// Quotes an identifier (a channel or table name chosen by code) with libpq's rules.
    public func quoteIdentifier(_ name: String) throws -> String {
        guard let quoted = PQescapeIdentifier(handle, name, name.utf8.count) else {
            throw PostgresError(code: .invalidInput, message: "cannot quote identifier \(name): \(lastErrorMessage)")
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    /// Runs the statement that ends the open transaction (`COMMIT`, `PREPARE TRANSACTION
    /// 'id'`). A transaction that already failed answers ROLLBACK to either, without an
    /// error: that throws here.
    public func endTransaction(_ sql: String) throws {
        let result = try checked(PQexec(handle, sql))
        if let tag = PQcmdStatus(result.handle), String(cString: tag) == "ROLLBACK" {
            throw PostgresError(code: .server, message: "the transaction had failed and was rolled back")
        }
    }

    /// Closes the connection now (it is also closed when released).
    public func close() {
        isBroken = true
    }

    // MARK: - Shared plumbing

    var lastErrorMessage: String {
        String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Turns a libpq result into a ``PostgresResult`` or throws the error it reports.
    func checked(_ raw: OpaquePointer?, statementIndex: Int? = nil) throws -> PostgresResult {
        lastUsed = .now
        guard let raw else { throw connectionError() }
        switch PQresultStatus(raw) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_PIPELINE_SYNC:
            return PostgresResult(handle: raw)
        case PGRES_PIPELINE_ABORTED:
            PQclear(raw)
            var error = PostgresError(code: .pipelineAborted, message: "skipped: an earlier statement in the same pipeline failed")
            error.statementIndex = statementIndex
            throw error
        default:
            var error = serverError(raw)
            PQclear(raw)
            error.statementIndex = statementIndex
            throw error
        }
    }

    /// The error a failed result reports, or a lost connection when the server said nothing.
    func serverError(_ raw: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let ascii = code.asciiValue, let value = PQresultErrorField(raw, Int32(ascii)) else { return nil }
            return String(cString: value)
        }
        guard let state = field("C") else {
            return connectionError()
        }
        var error = PostgresError(
            code: .forSQLState(state),
            message: field("M") ?? "server error",
            sqlState: state, detail: field("D"), hint: field("H"),
            constraint: field("n"), table: field("t"), column: field("c")
        )
        if let context = field("W"), error.detail == nil { error.detail = context }
        if error.code == .connectionLost { isBroken = true }
        return error
    }

    /// The error for a call that got no answer: the connection is gone. libpq may not have
    /// marked the connection bad yet when the server's end closed under a call (a primary
    /// restarting or dying): its own message says so, and that counts as lost too.
    func connectionError() -> PostgresError {
        let message = lastErrorMessage
        if PQstatus(handle) != CONNECTION_OK || Self.lostConnectionMessages.contains(where: message.contains) {
            isBroken = true
            return PostgresError(code: .connectionLost, message: message.isEmpty ? "connection to the server was lost" : message)
        }
        return PostgresError(code: .unexpectedResult, message: message.isEmpty ? "libpq returned no result" : message)
    }

    /// What libpq says when the server's end of the connection went away.
    static let lostConnectionMessages = [
        "server closed the connection unexpectedly", "no connection to the server", "could not send data to server",
        "could not receive data from server", "SSL SYSCALL error", "SSL connection has been closed unexpectedly",
    ]
}

/// The isolation level of a transaction.
public enum TransactionIsolation: Sendable {
    /// PostgreSQL's default.
    case readCommitted
    /// One snapshot for the whole transaction.
    case repeatableRead
    /// Serializable: conflicting transactions fail with a retryable error.
    case serializable

    var beginStatement: String {
        switch self {
        case .readCommitted: return "BEGIN"
        case .repeatableRead: return "BEGIN ISOLATION LEVEL REPEATABLE READ"
        case .serializable: return "BEGIN ISOLATION LEVEL SERIALIZABLE"
        }
    }
}

/// Calls `body` with C strings for the values (nil stays NULL), freeing them afterwards.
/// A value holding a NUL character cannot travel as text and is refused.
func withCStringArray<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R) throws -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = []
    pointers.reserveCapacity(values.count)
    defer { for pointer in pointers { free(pointer) } }
    for (index, value) in values.enumerated() {
        guard let value else { pointers.append(nil); continue }
        if value.utf8.contains(0) {
            throw PostgresError(code: .invalidInput, message: "parameter $\(index + 1) contains a NUL character")
        }
        pointers.append(strdup(value))
    }
    return try body(pointers.map { $0.map { UnsafePointer($0) } })
}
