import CadreflowPostgres
import CadreflowTesting
import Testing

@Suite("Pipelines send many statements in one round trip")
struct PipelineTests {
    let database: TestDatabase

    init() throws {
        database = try TestCluster.shared().makeDatabase(prefix: "pipe")
        try database.connect().execute("CREATE TABLE events (id int PRIMARY KEY, label text NOT NULL)")
    }

    private func statements(base: Int, failingAt bad: Int) -> [PostgresStatement] {
        (0..<10_000).map { index in
            // The failing statement repeats the id of the first one: a unique violation.
            PostgresStatement("INSERT INTO events VALUES ($1, $2)", index == bad ? base : base + index, "sự kiện \(index)")
        }
    }

    @Test("Atomic: 10,000 statements, one fails, nothing is stored, the rest are reported aborted")
    func atomic() throws {
        let connection = try database.connect()
        let results = try connection.pipeline(statements(base: 0, failingAt: 6_000), mode: .atomic)
        #expect(results.count == 10_000)
        let failures = results.enumerated().compactMap { index, result -> (Int, PostgresError)? in
            if case .failure(let error) = result { return (index, error) }
            return nil
        }
        #expect(failures.first?.0 == 6_000)
        #expect(failures.first?.1.code == .uniqueViolation)
        #expect(failures.first?.1.statementIndex == 6_000)
        #expect(failures.count == 4_000)
        #expect(failures.dropFirst().allSatisfy { $0.1.code == .pipelineAborted })
        #expect(try connection.query("SELECT count(*) FROM events WHERE id < 100000").scalar(Int.self) == 0)
        #expect(!connection.isInTransaction)
    }

    @Test("Independent: 10,000 statements, one fails, the other 9,999 are stored")
    func independent() throws {
        let connection = try database.connect()
        let results = try connection.pipeline(statements(base: 100_000, failingAt: 1_234), mode: .independent)
        let failed = results.indices.filter { if case .failure = results[$0] { return true } else { return false } }
        #expect(failed == [1_234])
        #expect(try connection.query("SELECT count(*) FROM events WHERE id >= 100000").scalar(Int.self) == 9_999)
    }

    @Test("All succeed: every result is readable in order and the connection works afterwards")
    func success() throws {
        let connection = try database.connect()
        let results = try connection.pipeline((1...500).map { PostgresStatement("SELECT $1::int * 2", $0) })
        let doubled = try results.map { try $0.get().scalar(Int.self) }
        #expect(doubled == (1...500).map { $0 * 2 })
        #expect(try connection.query("SELECT 7").scalar(Int.self) == 7)
    }
}
