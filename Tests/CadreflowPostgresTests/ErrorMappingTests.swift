import CadreflowPostgres
import CadreflowTesting
import Foundation
import Synchronization
import Testing

@Suite("Server errors map to typed codes")
struct ErrorMappingTests {
    let database: TestDatabase

    init() throws {
        database = try TestCluster.shared().makeDatabase(prefix: "errors")
        let connection = try database.connect()
        try connection.execute("""
            CREATE TABLE parents (id int PRIMARY KEY);
            CREATE TABLE children (
                id int PRIMARY KEY,
                parent int NOT NULL REFERENCES parents (id),
                score int CONSTRAINT score_range CHECK (score BETWEEN 0 AND 100)
            );
            INSERT INTO parents VALUES (1), (2);
            INSERT INTO children VALUES (1, 1, 50);
            """)
    }

    private func failure(_ sql: String, _ binds: [any PostgresEncodable] = []) throws -> PostgresError? {
        let connection = try database.connect()
        return #expect(throws: PostgresError.self) { try connection.query(sql, binds) }
    }

    @Test("Unique violation names the constraint")
    func unique() throws {
        let error = try failure("INSERT INTO children VALUES ($1, 1, 10)", [1])
        #expect(error?.code == .uniqueViolation)
        #expect(error?.sqlState == "23505")
        #expect(error?.constraint == "children_pkey")
        #expect(error?.isRetryable == false)
    }

    @Test("Foreign-key, check and not-null violations")
    func constraints() throws {
        #expect(try failure("INSERT INTO children VALUES (5, 99, 10)")?.code == .foreignKeyViolation)
        let check = try failure("INSERT INTO children VALUES (6, 1, $1)", [101])
        #expect(check?.code == .checkViolation)
        #expect(check?.constraint == "score_range")
        let notNull = try failure("INSERT INTO children (id, parent) VALUES (7, NULL)")
        #expect(notNull?.code == .notNullViolation)
        #expect(notNull?.column == "parent")
    }

    @Test("Syntax errors, unknown tables and bad input")
    func others() throws {
        #expect(try failure("SELEC 1")?.code == .syntaxError)
        #expect(try failure("SELECT * FROM no_such_table")?.code == .undefinedObject)
        #expect(try failure("SELECT $1::int", ["12x"])?.code == .invalidInput)
    }

    @Test("Write skew between serializable transactions is a retryable serialization failure")
    func serialization() throws {
        let first = try database.connect()
        let second = try database.connect()
        try first.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        try second.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
        _ = try first.query("SELECT sum(score) FROM children")
        _ = try second.query("SELECT sum(score) FROM children")
        try first.query("INSERT INTO children VALUES (100, 1, 1)")
        try second.query("INSERT INTO children VALUES (101, 2, 1)")
        try first.execute("COMMIT")
        let error = #expect(throws: PostgresError.self) { try second.execute("COMMIT") }
        #expect(error?.code == .serializationFailure)
        #expect(error?.isRetryable == true)
    }

    @Test("Two transactions locking in opposite order: one is a retryable deadlock")
    func deadlock() async throws {
        let pool = database.pool(size: 2)
        defer { pool.close() }
        let rendezvous = Rendezvous()
        let conninfo = database.connectionString
        let failures = await withTaskGroup(of: PostgresError?.self) { group in
            for (mine, theirs) in [(1, 2), (2, 1)] {
                group.addTask {
                    do {
                        try await pool.withConnection { _ in
                            try ErrorMappingTests.lockInOrder(conninfo, mine, theirs, rendezvous)
                        }
                        return nil
                    } catch {
                        return error as? PostgresError ?? PostgresError(code: .server, message: "\(error)")
                    }
                }
            }
            var failures: [PostgresError] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        #expect(failures.count == 1)
        #expect(failures.first?.code == .deadlockDetected)
        #expect(failures.first?.isRetryable == true)
    }

    /// Two threads meet here: each waits until both arrived.
    final class Rendezvous: Sendable {
        private let arrived = Atomic<Int>(0)
        func arriveAndWait() {
            arrived.add(1, ordering: .sequentiallyConsistent)
            while arrived.load(ordering: .sequentiallyConsistent) < 2 { usleep(1000) }
        }
    }

    static func lockInOrder(_ conninfo: String, _ mine: Int, _ theirs: Int, _ rendezvous: Rendezvous) throws {
        let connection = try PostgresConnection.connect(conninfo)
        try connection.execute("SET deadlock_timeout = '100ms'")
        try connection.transaction { connection in
            try connection.query("UPDATE parents SET id = id WHERE id = $1", mine)
            rendezvous.arriveAndWait()
            try connection.query("UPDATE parents SET id = id WHERE id = $1", theirs)
        }
    }

    @Test("A connection terminated by the server reports connectionLost and is marked broken")
    func connectionLost() throws {
        let victim = try database.connect()
        let killer = try database.connect()
        try killer.query("SELECT pg_terminate_backend($1)", victim.backendPID)
        let error = #expect(throws: PostgresError.self) { try victim.query("SELECT 1") }
        #expect(error?.code == .connectionLost)
        #expect(error?.isConnectionFailure == true)
        #expect(!victim.isUsable)
    }

    @Test("Connecting to nothing is connectionFailed")
    func connectionFailed() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection.connect("host=/nonexistent-cadreflow port=1 connect_timeout=2")
        }
        #expect(error?.code == .connectionFailed)
    }
}
