import CadreflowPostgres
import CadreflowTesting
import Synchronization
import Testing

@Suite("The connection pool")
struct PoolTests {
    let database: TestDatabase

    init() throws {
        database = try TestCluster.shared().makeDatabase(prefix: "pool")
    }

    @Test("An exhausted pool fails a waiting task after the checkout timeout with a clear error")
    func exhaustedFails() async throws {
        let pool = database.pool(size: 1, checkoutTimeout: .milliseconds(200))
        defer { pool.close() }
        let holding = Mutex(false)
        async let holder: Int = pool.withConnection { connection in
            holding.withLock { $0 = true }
            try connection.query("SELECT pg_sleep(4)")
            return 1
        }
        // Under a loaded machine the holder may take a while to get its connection: wait for it.
        for _ in 0..<500 where !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(50))
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { _ in 2 }
        }
        #expect(error?.code == .poolExhausted)
        #expect(error?.message.contains("busy") == true)
        #expect(try await holder == 1)
    }

    @Test("An exhausted pool makes a task wait until a connection is free")
    func exhaustedWaits() async throws {
        let pool = database.pool(size: 1, checkoutTimeout: .seconds(10))
        defer { pool.close() }
        async let holder: Int = pool.withConnection { connection in
            try connection.query("SELECT pg_sleep(0.5)")
            return 1
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(pool.statistics.busy == 1)
        let second = try await pool.withConnection { connection in try connection.query("SELECT 2").scalar(Int.self) }
        #expect(second == 2)
        #expect(try await holder == 1)
        #expect(pool.statistics.slots == 1)
    }

    @Test("Many tasks share a small pool and all complete")
    func manyTasks() async throws {
        // Completion is the point, not speed: the whole suite runs beside it on two cores.
        let pool = database.pool(size: 3, checkoutTimeout: .seconds(60))
        defer { pool.close() }
        let sum = try await withThrowingTaskGroup(of: Int.self) { group in
            for value in 1...200 {
                group.addTask { try await pool.withConnection { try $0.query("SELECT $1::int", value).scalar(Int.self) ?? 0 } }
            }
            return try await group.reduce(0, +)
        }
        #expect(sum == 20_100)
        #expect(pool.statistics.slots <= 3)
    }

    @Test("A connection killed while idle is replaced by the health check")
    func healthCheck() async throws {
        let pool = database.pool(size: 1, healthCheckAfterIdle: .zero)
        defer { pool.close() }
        let pid = try await pool.withConnection { $0.backendPID }
        let killer = try database.connect()
        try killer.query("SELECT pg_terminate_backend($1)", pid)
        try await Task.sleep(for: .milliseconds(100))
        let (value, newPID) = try await pool.withConnection { connection in
            (try connection.query("SELECT 5").scalar(Int.self), connection.backendPID)
        }
        #expect(value == 5)
        #expect(newPID != pid)
    }

    @Test("A closed pool refuses work")
    func closed() async throws {
        let pool = database.pool(size: 1)
        pool.close()
        let error = await #expect(throws: PostgresError.self) { try await pool.withConnection { _ in 1 } }
        #expect(error?.code == .poolClosed)
    }
}
