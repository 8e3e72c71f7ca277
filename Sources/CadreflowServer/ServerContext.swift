import CadreflowProtocol
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
    /// Connections the kernel queues before they are accepted (0: `maxConnections`).
    public var listenBacklog: Int

    /// Limits from their values.
    public init(
        maxLineBytes: Int, maxArguments: Int, maxUploadBytes: Int, idleTimeoutSeconds: Int, maxConnections: Int, maxConnectionsPerAccount: Int,
        listenBacklog: Int = 0
    ) {
        self.maxLineBytes = maxLineBytes
        self.maxArguments = maxArguments
        self.maxUploadBytes = maxUploadBytes
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
        self.maxConnectionsPerAccount = maxConnectionsPerAccount
        self.listenBacklog = listenBacklog
    }

    /// The listen backlog to ask the kernel for.
    var effectiveBacklog: Int32 { Int32(clamping: listenBacklog > 0 ? listenBacklog : maxConnections) }
}

/// What the server and its command handlers share: the database, accounts, audit, limits,
/// and the command groups the composition root mounted. It knows no domain: handlers
/// capture the services they call when their group is built.
public struct ServerContext: Sendable {
    /// The connection pool.
    public let pool: PostgresPool
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
    /// Commands, connections and uploads, as metrics.
    let metrics: ServerMetrics
    /// Sessions open per account (for the per-account cap).
    let sessions: SessionCounter
    /// The mounted commands.
    let router: CommandRouter
    /// The one-statement reads of each event loop (``LoopReader``).
    let loopReaders: LoopReaders
    /// Called after a write committed and before its reply is sent (tests use it to lose a reply).
    let afterCommit: (@Sendable (Request) async -> Void)?

    /// A context from its parts.
    public init(
        pool: PostgresPool, accounts: AccountStore, limits: ProtocolLimits, version: String, logger: Logger,
        groups: [CommandGroup], afterCommit: (@Sendable (Request) async -> Void)? = nil
    ) {
        self.pool = pool
        self.loopReaders = LoopReaders(pool: pool)
        self.router = CommandRouter(groups: groups)
        self.afterCommit = afterCommit
        self.accounts = accounts
        self.audit = AuditLog(pool: pool)
        self.limits = limits
        self.version = version
        self.logger = logger
        self.metrics = ServerMetrics()
        self.sessions = SessionCounter(metrics: metrics)
    }
}
