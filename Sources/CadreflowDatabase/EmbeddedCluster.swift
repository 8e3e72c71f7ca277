import CadreflowPostgres
import Foundation
import Logging

/// A PostgreSQL cluster the service owns: created with initdb on first start under a
/// data directory, listening only on a unix socket inside it, stopped on shutdown.
///
/// Layout under the data directory: `postgres/` (the cluster), `run/` (the socket),
/// `log/postgres.log` (start-up output) and `log/postgres-Mon.log` … (the server's log, one
/// file a weekday, rotated by PostgreSQL's logging collector). A cluster left running by a killed service is
/// adopted; a stale pid file is removed; neither needs a manual step.
public final class EmbeddedCluster: Sendable {
    /// What the cluster is and how it runs.
    public struct Options: Sendable {
        /// The folder that holds the cluster, its socket and its log.
        public var dataDirectory: String
        /// The port number in the socket's name (`.s.PGSQL.<port>`); no TCP port is opened.
        public var port: Int
        /// The database the service uses, created on first start.
        public var databaseName: String
        /// False for throwaway clusters (tests, benchmarks of logic): fsync and friends off.
        public var durable: Bool

        /// Options for a cluster under `dataDirectory`.
        public init(dataDirectory: String, port: Int = 5432, databaseName: String = "cadreflow", durable: Bool = true) {
            self.dataDirectory = dataDirectory
            self.port = port
            self.databaseName = databaseName
            self.durable = durable
        }
    }

    /// The cluster's settings.
    public let options: Options
    /// The absolute data directory.
    public let root: String
    let logger: Logger
    let installation: PostgresInstallation
    let account: ServiceAccount?

    /// The PostgreSQL superuser the cluster is created with.
    public static let superuser = "cadreflow"

    /// Prepares to run a cluster; finds the server programs (those of the cluster's
    /// `PG_VERSION` when it exists, else the newest) and, as root, the account.
    public init(options: Options, logger: Logger = Logger(label: "cadreflow.embedded-postgres")) throws {
        self.options = options
        self.logger = logger
        let absolute = options.dataDirectory.hasPrefix("/")
            ? options.dataDirectory
            : FileManager.default.currentDirectoryPath + "/" + options.dataDirectory
        let root = URL(fileURLWithPath: absolute).standardizedFileURL.path
        self.root = root
        // An existing cluster needs the major version that created it (its PG_VERSION).
        self.installation = try PostgresInstallation.locate(forCluster: root + "/postgres")
        self.account = try ServiceAccount.forEmbeddedCluster()
        let socketPath = socketDirectory + "/.s.PGSQL.\(options.port)"
        guard socketPath.utf8.count < 104 else {
            throw DatabaseSetupError("the data directory \(root) is too long for a unix socket path (\(socketPath.utf8.count) bytes, at most 103): choose a shorter CADREFLOW_DATA_DIR")
        }
    }

    /// The cluster folder.
    public var clusterDirectory: String { root + "/postgres" }
    /// The folder holding the unix socket.
    public var socketDirectory: String { root + "/run" }
    /// The server's log file.
    public var logFile: String { root + "/log/postgres.log" }

    /// A libpq connection string for a database of this cluster, as `user` (the superuser
    /// that owns the schema by default).
    public func connectionString(database: String? = nil, user: String = EmbeddedCluster.superuser) -> String {
        "host=\(ConnectionString.quote(socketDirectory)) port=\(options.port) "
            + "user=\(ConnectionString.quote(user)) dbname=\(ConnectionString.quote(database ?? options.databaseName))"
    }

    /// The role the service serves as (migration 011): not a superuser, no owner of any table.
    public static let servingRole = "cadreflow_service"

    /// Creates the cluster if needed, starts it (or adopts a running one), creates the
    /// service's database, and returns its connection string.
    @discardableResult
    public func start() throws -> String {
        _ = try startOrAdopt()
        return connectionString()
    }

    /// Like ``start()``; returns true when a server was already running and was adopted
    /// rather than started (a caller that only borrows the cluster then leaves it running).
    public func startOrAdopt() throws -> Bool {
        try prepareDirectories()
        if !FileManager.default.fileExists(atPath: clusterDirectory + "/PG_VERSION") {
            try initialise()
        }
        try writeSettings()
        let maintenance = connectionString(database: "postgres")
        let adopted = PostgresConnection.ping(maintenance)
        if adopted {
            logger.info("adopting the embedded PostgreSQL already running", metadata: ["dir": "\(clusterDirectory)"])
        } else {
            try clearStaleServer()
            try pgCtl(["-D", clusterDirectory, "-l", logFile, "-w", "-t", "120", "start"], failure: "cannot start the embedded PostgreSQL")
            logger.info("embedded PostgreSQL started", metadata: ["dir": "\(clusterDirectory)"])
        }
        try createDatabaseIfMissing(options.databaseName)
        return adopted
    }

    /// Stops the cluster (fast shutdown: open sessions are disconnected, nothing is lost).
    public func stop() throws {
        guard isRunning else { return }
        try pgCtl(["-D", clusterDirectory, "-m", "fast", "-w", "-t", "120", "stop"], failure: "cannot stop the embedded PostgreSQL")
        logger.info("embedded PostgreSQL stopped")
    }

    /// Stops and starts the server again (sessions are cut; the data stays).
    public func restart() throws {
        try pgCtl(["-D", clusterDirectory, "-m", "fast", "-w", "-t", "120", "restart", "-l", logFile], failure: "cannot restart the embedded PostgreSQL")
    }

    /// True when the server answers on its socket.
    public var isRunning: Bool {
        PostgresConnection.ping(connectionString(database: "postgres"))
    }

    /// Creates a database in this cluster unless it exists.
    public func createDatabaseIfMissing(_ name: String) throws {
        let connection = try PostgresConnection.connect(connectionString(database: "postgres"))
        let exists = try connection.query("SELECT 1 FROM pg_database WHERE datname = $1", name).rowCount > 0
        if !exists {
            do {
                try connection.execute("CREATE DATABASE \(try connection.quoteIdentifier(name)) ENCODING 'UTF8' TEMPLATE template0")
            } catch let error as PostgresError where error.code == .uniqueViolation {
                // Created by a concurrent start: fine.
            }
        }
    }

    /// Drops a database of this cluster, disconnecting its sessions.
    public func dropDatabase(_ name: String) throws {
        let connection = try PostgresConnection.connect(connectionString(database: "postgres"))
        try connection.execute("DROP DATABASE IF EXISTS \(try connection.quoteIdentifier(name)) WITH (FORCE)")
    }

    // MARK: - Steps

    func prepareDirectories() throws {
        let manager = FileManager.default
        for folder in [root, clusterDirectory, socketDirectory, root + "/log"] {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        chmod(clusterDirectory, 0o700)
        if let account {
            for folder in [clusterDirectory, socketDirectory, root + "/log"] {
                try account.takeOwnership(of: folder)
            }
            if !manager.fileExists(atPath: logFile) {
                _ = manager.createFile(atPath: logFile, contents: nil)
            }
            try account.takeOwnership(of: logFile)
            let probe = try ProcessRunner.run("/usr/bin/test", ["-w", clusterDirectory], as: account.name, directory: "/")
            guard probe.status == 0 else {
                throw DatabaseSetupError(
                    "the embedded PostgreSQL runs as '\(account.name)', which cannot reach \(clusterDirectory) (a parent folder is closed to it): "
                        + "choose a CADREFLOW_DATA_DIR it can reach, or set CADREFLOW_DATABASE_URL"
                )
            }
        }
    }

    private func initialise() throws {
        var arguments = ["-D", clusterDirectory, "-U", EmbeddedCluster.superuser, "-E", "UTF8", "--no-locale", "--auth=trust"]
        if !options.durable { arguments.append("--no-sync") }
        let outcome = try ProcessRunner.run(installation.initdb, arguments, as: account?.name, directory: clusterDirectory)
        guard outcome.status == 0 else {
            throw DatabaseSetupError("initdb failed for \(clusterDirectory): \(outcome.tail)")
        }
        let mainConfig = clusterDirectory + "/postgresql.conf"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: mainConfig))
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data("\n# Settings managed by cadreflow (rewritten at every start).\ninclude_if_exists = 'cadreflow.conf'\n".utf8))
        logger.info("embedded PostgreSQL cluster created", metadata: ["dir": "\(clusterDirectory)"])
    }

    private func writeSettings() throws {
        func literal(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
        var lines = [
            "listen_addresses = ''",
            "unix_socket_directories = \(literal(socketDirectory))",
            "unix_socket_permissions = 0700",
            "port = \(options.port)",
            "max_connections = 300",
            "shared_buffers = '256MB'",
            // Opening a month writes a million instances and history rows in one operation:
            // room for its WAL keeps a checkpoint (and the full-page images after it) out of it.
            "max_wal_size = '4GB'",
            // A large bulk creation is written by several backends at once and committed
            // with two-phase commit: each part is a prepared transaction for a moment.
            "max_prepared_transactions = 16",
            "timezone = 'UTC'",
            // The server's own log, rotated: one file a weekday under log/, each truncated when
            // its day comes round again, so a week of logs is kept and the folder stops growing.
            // (log/postgres.log keeps what is written before the collector starts.)
            "logging_collector = on",
            "log_directory = \(literal(root + "/log"))",
            "log_filename = 'postgres-%a.log'",
            "log_rotation_age = '1d'",
            "log_rotation_size = 0",
            "log_truncate_on_rotation = on",
        ]
        if !options.durable {
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        }
        let path = clusterDirectory + "/cadreflow.conf"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        if let account { try account.takeOwnership(of: path) }
    }

    /// Deals with what a killed service left behind: a pid file naming no live server is
    /// removed; a live server that does not answer on the expected socket is stopped.
    /// Clears what a killed run left: a pid file naming a dead process, or a zombie (a
    /// postmaster killed while nobody has reaped it yet, as when the service and its
    /// postmaster die together), is removed; a live postmaster of this cluster that does
    /// not answer is stopped, immediately if a fast stop fails, and killed as a last resort.
    private func clearStaleServer() throws {
        let pidFile = clusterDirectory + "/postmaster.pid"
        guard let contents = try? String(contentsOfFile: pidFile, encoding: .utf8) else { return }
        let pid = contents.split(separator: "\n").first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
        if let pid, Self.isLivePostgres(pid) {
            logger.warning("stopping an embedded PostgreSQL that does not answer on its socket", metadata: ["pid": "\(pid)"])
            do {
                try pgCtl(["-D", clusterDirectory, "-m", "fast", "-w", "-t", "30", "stop"], failure: "cannot stop the stale embedded PostgreSQL")
                return
            } catch {
                logger.warning("a fast stop failed; stopping it immediately", metadata: ["pid": "\(pid)", "error": "\(error)"])
            }
            for signal in [SIGQUIT, SIGKILL] where Self.isLivePostgres(pid) {
                kill(pid, signal)
                for _ in 0..<50 where Self.isLivePostgres(pid) { usleep(100_000) }
            }
            guard !Self.isLivePostgres(pid) else {
                throw DatabaseSetupError("cannot stop the stale embedded PostgreSQL (pid \(pid)) of \(clusterDirectory): stop it by hand")
            }
        }
        logger.warning("removing a stale PostgreSQL pid file", metadata: ["file": "\(pidFile)"])
        try? FileManager.default.removeItem(atPath: pidFile)
        let lockFile = socketDirectory + "/.s.PGSQL.\(options.port).lock"
        try? FileManager.default.removeItem(atPath: lockFile)
    }

    /// Whether `pid` is a running (not zombie, not dead) process called `postgres`.
    static func isLivePostgres(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return false }
        let name = stat[stat.index(after: open)..<close]
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return name == "postgres" && state != "Z" && state != "X" && state != "x"
    }

    func pgCtl(_ arguments: [String], failure: String) throws {
        let outcome = try ProcessRunner.run(installation.pgCtl, arguments, as: account?.name, directory: clusterDirectory)
        guard outcome.status == 0 else {
            let serverLog = (try? String(contentsOfFile: logFile, encoding: .utf8))?
                .split(separator: "\n").suffix(2).joined(separator: " | ") ?? ""
            throw DatabaseSetupError("\(failure): \(outcome.tail)\(serverLog.isEmpty ? "" : " | log: \(serverLog)")")
        }
    }
}
