import Foundation

/// Base backups, standbys and promotion, on PostgreSQL's own tools (pg_basebackup,
/// `pg_ctl promote`): what a restore drill and a failover need.
extension EmbeddedCluster {
    /// Copies this running cluster with pg_basebackup (the WAL it needs streamed along) into
    /// `dataDirectory/postgres`, so that `dataDirectory` is a data directory the service
    /// starts from as it is. With `standby`, the copy is a streaming standby of this cluster
    /// (pg_basebackup's `-R`: `standby.signal` and `primary_conninfo`).
    ///
    /// The target's `postgres/` folder must be missing or empty.
    @discardableResult
    public func baseBackup(into dataDirectory: String, standby: Bool = false) throws -> EmbeddedCluster {
        let target = try EmbeddedCluster(
            options: .init(dataDirectory: dataDirectory, port: options.port, databaseName: options.databaseName, durable: options.durable),
            logger: logger
        )
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: target.clusterDirectory), !contents.isEmpty {
            throw DatabaseSetupError("\(target.clusterDirectory) is not empty: a base backup goes into a new data directory")
        }
        try target.prepareDirectories()
        let tool = installation.tool("pg_basebackup")
        var arguments = ["-D", target.clusterDirectory, "-d", connectionString(database: "postgres"), "-X", "stream", "-c", "fast", "--no-password"]
        if standby { arguments.append("-R") }
        let outcome = try ProcessRunner.run(tool, arguments, as: account?.name, directory: "/")
        guard outcome.status == 0 else {
            throw DatabaseSetupError("pg_basebackup into \(target.clusterDirectory) failed: \(outcome.tail)")
        }
        logger.info("base backup taken", metadata: ["from": "\(clusterDirectory)", "into": "\(target.clusterDirectory)", "standby": "\(standby)"])
        return target
    }

    /// Promotes this standby to a primary and waits until it accepts writes.
    public func promote() throws {
        try pgCtl(["-D", clusterDirectory, "-w", "-t", "60", "promote"], failure: "cannot promote the PostgreSQL standby")
    }

    /// Stops the server as a crash would (`-m immediate`: no checkpoint; recovery at the next start).
    public func stopImmediately() throws {
        guard isRunning else { return }
        try pgCtl(["-D", clusterDirectory, "-m", "immediate", "-w", "-t", "60", "stop"], failure: "cannot stop the embedded PostgreSQL")
    }
}
