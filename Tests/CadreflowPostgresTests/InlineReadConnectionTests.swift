import CadreflowPostgres
import CadreflowTesting
import Foundation
import Logging
import Testing

@Suite("Inline read connections: batches on the caller's thread, which never waits to connect")
struct InlineReadConnectionTests {
    let database: TestDatabase

    init() throws {
        database = try TestCluster.shared().makeDatabase(prefix: "inline")
    }

    /// Asks until the connection has opened (it opens off the caller's thread).
    private func firstResults(_ connection: InlineReadConnection, _ statements: [PostgresStatement]) async throws -> [Result<PostgresResult, any Error>] {
        for _ in 0..<500 {
            if let results = connection.results(statements) { return results }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw PostgresError(code: .unexpectedResult, message: "the inline connection never opened")
    }

    @Test("The first batch is refused at once while the connection opens; then each statement gets its own result, a bad one fails alone")
    func opensThenAnswers() async throws {
        let connection = InlineReadConnection(connectionString: database.connectionString, logger: Logger(label: "test"))
        defer { connection.close() }
        let started = ContinuousClock.now
        #expect(connection.results([PostgresStatement("SELECT 1", [])]) == nil)
        // Refusing did not wait for the connection.
        #expect(ContinuousClock.now - started < .milliseconds(50))
        let statements = (0..<40).map { index in PostgresStatement("SELECT $1::int * 2", [index == 17 ? "x" : String(index)]) }
        let results = try await firstResults(connection, statements)
        #expect(results.count == 40)
        for (index, result) in results.enumerated() {
            if index == 17 {
                guard case .failure(let error as PostgresError) = result else {
                    Issue.record("statement 17 should fail")
                    continue
                }
                #expect(error.code == .invalidInput, "\(error)")
            } else {
                #expect(try result.get().scalar(Int.self) == index * 2, "statement \(index)")
            }
        }
        #expect(connection.isOpen)
    }

    @Test("A read past the statement timeout fails with a timeout, and the caller's thread is free again soon after it")
    func statementTimeout() async throws {
        let connection = InlineReadConnection(connectionString: database.connectionString, statementTimeout: .milliseconds(200), logger: Logger(label: "test"))
        defer { connection.close() }
        _ = try await firstResults(connection, [PostgresStatement("SELECT 1", [])])
        let started = ContinuousClock.now
        let results = connection.results([PostgresStatement("SELECT pg_sleep(10)", [])]) ?? []
        let waited = ContinuousClock.now - started
        #expect(waited < .seconds(3), "the batch held the thread for \(waited)")
        guard case .failure(let error as PostgresError)? = results.first else {
            Issue.record("the slow read should fail: \(results)")
            return
        }
        #expect(error.message.contains("statement timeout"), "\(error)")
        // The reads behind a timed-out one fail with it at once: the batch waits one
        // timeout, not one per read.
        let behind = ContinuousClock.now
        let batch = connection.results([PostgresStatement("SELECT pg_sleep(10)", []), PostgresStatement("SELECT 1", []), PostgresStatement("SELECT 2", [])]) ?? []
        #expect(ContinuousClock.now - behind < .milliseconds(1_500), "the batch held the thread for \(ContinuousClock.now - behind)")
        #expect(batch.count == 3)
        for result in batch {
            guard case .failure(let failed as PostgresError) = result else {
                Issue.record("every read of the batch should fail: \(batch)")
                continue
            }
            #expect(failed.isTimeout, "\(failed)")
        }
        // The connection is still good for the next batch.
        #expect(try connection.results([PostgresStatement("SELECT 3", [])])?.first?.get().scalar(Int.self) == 3)
    }

    @Test("A killed connection fails its batch with a connection error; the next batches are refused until a new one is open, then answered")
    func reconnects() async throws {
        let connection = InlineReadConnection(connectionString: database.connectionString, logger: Logger(label: "test"))
        defer { connection.close() }
        _ = try await firstResults(connection, [PostgresStatement("SELECT 1", [])])
        let admin = try database.connect()
        let terminated = try admin.query(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalar(Int.self) ?? 0
        #expect(terminated >= 1)
        try await Task.sleep(for: .milliseconds(100))
        if let failed = connection.results([PostgresStatement("SELECT 2", [])]) {
            guard case .failure(let error as PostgresError)? = failed.first else {
                Issue.record("a read on the killed connection should fail: \(failed)")
                return
            }
            #expect(error.isConnectionFailure, "\(error)")
        }
        let again = try await firstResults(connection, [PostgresStatement("SELECT 4", [])])
        #expect(try again.first?.get().scalar(Int.self) == 4)
    }

    @Test("After close every batch is refused, and the pool's close closes the connections it handed out")
    func closes() async throws {
        let pool = database.pool(size: 1)
        let owner = NSObject()
        let connection = try #require(pool.inlineReadConnection(for: ObjectIdentifier(owner)))
        #expect(pool.inlineReadConnection(for: ObjectIdentifier(owner)) === connection)
        _ = try await firstResults(connection, [PostgresStatement("SELECT 1", [])])
        pool.close()
        #expect(connection.results([PostgresStatement("SELECT 1", [])]) == nil)
        #expect(!connection.isOpen)
        let off = PostgresPool(configuration: .init(connectionString: database.connectionString, inlineReads: false))
        defer { off.close() }
        #expect(off.inlineReadConnection(for: ObjectIdentifier(owner)) == nil)
    }
}
