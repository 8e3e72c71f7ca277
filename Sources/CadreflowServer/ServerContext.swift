import CadreflowEngine
import CadreflowPostgres
import Logging

/// The protocol's limits (from `[protocol]` in the configuration).
public struct ProtocolLimits: Sendable {
    /// Longest request line in bytes.
    public var maxLineBytes: Int
    /// Most words and options in one request.
    public var maxArguments: Int
    /// Largest upload in bytes.
    public var maxUploadBytes: Int
    /// Seconds of silence before a connection is closed (0: never).
    public var idleTimeoutSeconds: Int
    /// Open connections per server.
    public var maxConnections: Int
    /// Open sessions per account.
    public var maxConnectionsPerAccount: Int

    /// Limits from their values.
    public init(maxLineBytes: Int, maxArguments: Int, maxUploadBytes: Int, idleTimeoutSeconds: Int, maxConnections: Int, maxConnectionsPerAccount: Int) {
        self.maxLineBytes = maxLineBytes
        self.maxArguments = maxArguments
        self.maxUploadBytes = maxUploadBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
        self.maxConnectionsPerAccount = maxConnectionsPerAccount
    }
}

/// What command handlers work with: the database, the engine, accounts, audit, limits.
public struct ServerContext: Sendable {
    /// The connection pool.
    public let pool: PostgresPool
    /// The workflow engine.
    public let engine: WorkflowEngine
    /// The scheduler.
    public let scheduler: Scheduler
    /// Accounts.
    public let accounts: AccountStore
    /// The audit trail.
    public let audit: AuditLog
    /// Protocol limits.
    public let limits: ProtocolLimits
    /// The service version for the greeting.
    public let version: String
    /// The logger.
    public let logger: Logger
    /// Sessions open per account (for the per-account cap).
    let sessions: SessionCounter

    /// A context from its parts.
    public init(pool: PostgresPool, engine: WorkflowEngine, scheduler: Scheduler, accounts: AccountStore, limits: ProtocolLimits, version: String, logger: Logger) {
        self.pool = pool
        self.engine = engine
        self.scheduler = scheduler
        self.accounts = accounts
        self.audit = AuditLog(pool: pool)
        self.limits = limits
        self.version = version
        self.logger = logger
        self.sessions = SessionCounter()
    }
}
