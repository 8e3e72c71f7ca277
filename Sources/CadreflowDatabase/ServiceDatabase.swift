import CadreflowPostgres
import Logging

/// The database the service runs on: the server named by a connection string, or the
/// embedded cluster under the data directory when none is configured.
public struct ServiceDatabase: Sendable {
    /// The libpq connection string the service serves with: for the embedded cluster, as
    /// the unprivileged serving role; for an external server, the configured one.
    public let connectionString: String
    /// The connection string migrations run with (the schema owner's).
    public let ownerConnectionString: String
    /// The embedded cluster, when the service manages one.
    public let embedded: EmbeddedCluster?
    /// True when the embedded cluster was already running and was adopted.
    public let adoptedRunningCluster: Bool

    /// Opens the database: with a non-empty `url`, that server (nothing is managed);
    /// otherwise the embedded cluster under `dataDirectory`, created and started as needed.
    public static func open(url: String, dataDirectory: String, embeddedPort: Int, logger: Logger) throws -> ServiceDatabase {
        if !url.isEmpty {
            return ServiceDatabase(connectionString: url, ownerConnectionString: url, embedded: nil, adoptedRunningCluster: false)
        }
        let cluster = try EmbeddedCluster(options: .init(dataDirectory: dataDirectory, port: embeddedPort), logger: logger)
        let adopted = try cluster.startOrAdopt()
        return ServiceDatabase(
            connectionString: cluster.connectionString(user: EmbeddedCluster.servingRole), ownerConnectionString: cluster.connectionString(),
            embedded: cluster, adoptedRunningCluster: adopted
        )
    }

    /// Applies the shipped migrations; returns those applied now.
    @discardableResult
    public func migrate(logger: Logger) throws -> [Migration] {
        let connection = try connect()
        return try Migrator(migrations: Migration.bundled(), logger: logger).migrate(connection)
    }

    /// The migrations shipped with this build and when each was applied here.
    public func migrationStatus(logger: Logger) throws -> [Migrator.Status] {
        try Migrator(migrations: Migration.bundled(), logger: logger).status(connect())
    }

    /// Stops the embedded cluster, if there is one.
    public func stopEmbedded() throws {
        try embedded?.stop()
    }

    private func connect() throws -> PostgresConnection {
        do {
            return try PostgresConnection.connect(ownerConnectionString)
        } catch let error as PostgresError {
            throw DatabaseSetupError("database unreachable: \(error.message)")
        }
    }
}
