import CadreflowDatabase
import CadreflowPostgres
import Foundation
import Logging
import Synchronization

/// One throwaway PostgreSQL cluster per test process: initdb once into a temporary
/// folder, its own unix socket and a random port, durability off for speed; stopped and
/// deleted when the process exits, even after failing tests. Clusters orphaned by a
/// killed test run are cleaned up by the next one.
public final class TestCluster: Sendable {
    /// The cluster shared by every test in this process, started on first use.
    public static func shared() throws -> TestCluster {
        try sharedState.withLock { state in
            if let cluster = state { return cluster }
            let cluster = try TestCluster()
            state = cluster
            atexit { TestCluster.stopShared() }
            return cluster
        }
    }

    private static let sharedState = Mutex<TestCluster?>(nil)
    private static let prefix = "cadreflow-test-"

    /// The running cluster.
    public let cluster: EmbeddedCluster
    /// The temporary folder holding it.
    public let directory: String

    private init() throws {
        TestCluster.removeOrphans()
        var template = Array((FileManager.default.temporaryDirectory.path + "/\(TestCluster.prefix)XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let directory = made else {
            throw DatabaseSetupError("cannot create a temporary folder for the test cluster")
        }
        self.directory = directory
        chmod(directory, 0o755)
        try "\(getpid())".write(toFile: directory + "/owner.pid", atomically: true, encoding: .utf8)
        var logger = Logger(label: "cadreflow.test-cluster")
        logger.logLevel = .warning
        self.cluster = try EmbeddedCluster(
            options: .init(dataDirectory: directory, port: Int.random(in: 20_000...60_000), databaseName: "postgres", durable: false),
            logger: logger
        )
        try cluster.start()
        // A role belongs to the whole cluster, and the tests' databases migrate side by
        // side: two migrations 011 creating it at the same moment collide on pg_authid's
        // unique index (a unique violation, not the duplicate_object 011 expects). Made
        // once here, every database's 011 finds it and only grants.
        let setup = try PostgresConnection.connect(cluster.connectionString(database: "postgres"))
        defer { setup.close() }
        try setup.execute("""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(EmbeddedCluster.servingRole)') THEN
                    CREATE ROLE \(EmbeddedCluster.servingRole) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
                END IF;
            END $$
            """)
    }

    /// A connection string for a database of this cluster.
    public func connectionString(database: String) -> String {
        cluster.connectionString(database: database)
    }

    /// Creates a fresh, empty database with a unique name and returns it.
    public func makeDatabase(prefix: String = "t") throws -> TestDatabase {
        let name = "\(prefix)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        try cluster.createDatabaseIfMissing(name)
        return TestDatabase(
            name: name, connectionString: connectionString(database: name),
            servingConnectionString: cluster.connectionString(database: name, user: EmbeddedCluster.servingRole), cluster: self
        )
    }

    private static func stopShared() {
        guard let cluster = sharedState.withLock({ $0 }) else { return }
        try? cluster.cluster.stop()
        try? FileManager.default.removeItem(atPath: cluster.directory)
    }

    /// Stops and deletes clusters left by test processes that no longer run.
    private static func removeOrphans() {
        let temporary = FileManager.default.temporaryDirectory.path
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            let folder = temporary + "/" + entry
            guard let owner = try? String(contentsOfFile: folder + "/owner.pid", encoding: .utf8),
                  let pid = Int32(owner.trimmingCharacters(in: .whitespacesAndNewlines)),
                  kill(pid, 0) != 0 else { continue }
            if let serverPID = (try? String(contentsOfFile: folder + "/postgres/postmaster.pid", encoding: .utf8))?
                .split(separator: "\n").first.flatMap({ Int32($0) }),
               (try? String(contentsOfFile: "/proc/\(serverPID)/comm", encoding: .utf8))?.hasPrefix("postgres") == true {
                kill(serverPID, SIGQUIT)
            }
            try? FileManager.default.removeItem(atPath: folder)
        }
    }
}

/// A database of the test cluster, for one suite or test.
public struct TestDatabase: Sendable {
    /// The database name.
    public let name: String
    /// Its libpq connection string, as the superuser that owns the schema.
    public let connectionString: String
    /// Its connection string as the service's serving role (after the migrations).
    public let servingConnectionString: String
    /// The cluster it lives in.
    public let cluster: TestCluster

    /// A fresh connection to the database.
    public func connect() throws -> PostgresConnection {
        try PostgresConnection.connect(connectionString)
    }

    /// A pool on the database (as the serving role with `serving`, as the service has it).
    public func pool(
        size: Int = 4, checkoutTimeout: Duration = .seconds(5), healthCheckAfterIdle: Duration = .seconds(1), serving: Bool = false, inlineReads: Bool = true
    ) -> PostgresPool {
        PostgresPool(configuration: .init(
            connectionString: serving ? servingConnectionString : connectionString, size: size,
            checkoutTimeout: checkoutTimeout, healthCheckAfterIdle: healthCheckAfterIdle, inlineReads: inlineReads
        ))
    }

    /// Drops the database.
    public func drop() throws {
        try cluster.cluster.dropDatabase(name)
    }
}
