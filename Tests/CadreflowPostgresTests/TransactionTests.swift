import CadreflowPostgres
import CadreflowTesting
import Testing

@Suite("Transactions commit on return and roll back on throw")
struct TransactionTests {
    struct Boom: Error {}
    let database: TestDatabase

    init() throws {
        database = try TestCluster.shared().makeDatabase(prefix: "tx")
        let connection = try database.connect()
        try connection.execute("CREATE TABLE items (id int PRIMARY KEY, label text)")
    }

    @Test("Returning commits every statement")
    func commit() throws {
        let connection = try database.connect()
        let value = try connection.transaction { connection in
            try connection.query("INSERT INTO items VALUES (1, 'một')")
            try connection.query("INSERT INTO items VALUES (2, 'hai')")
            return 42
        }
        #expect(value == 42)
        let other = try database.connect()
        #expect(try other.query("SELECT count(*) FROM items").scalar(Int.self) == 2)
    }

    @Test("Throwing rolls back every statement and rethrows")
    func rollback() throws {
        let connection = try database.connect()
        #expect(throws: Boom.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO items VALUES (10, 'x')")
                throw Boom()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM items WHERE id = 10").scalar(Int.self) == 0)
        #expect(!connection.isInTransaction)
    }

    @Test("A nested transaction is a savepoint: its rollback keeps the outer work")
    func nested() throws {
        let connection = try database.connect()
        try connection.transaction { connection in
            try connection.query("INSERT INTO items VALUES (20, 'outer')")
            _ = try? connection.transaction { connection in
                try connection.query("INSERT INTO items VALUES (21, 'inner')")
                throw Boom()
            }
        }
        let ids = try connection.query("SELECT id FROM items WHERE id >= 20 ORDER BY id").rows.map { try $0.decode(0, as: Int.self) }
        #expect(ids == [20])
    }

    @Test("A statement error swallowed inside the body still fails the commit")
    func swallowedError() throws {
        let connection = try database.connect()
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO items VALUES (30, 'a')")
                _ = try? connection.query("INSERT INTO items VALUES (30, 'duplicate')")
            }
        }
        #expect(try connection.query("SELECT count(*) FROM items WHERE id = 30").scalar(Int.self) == 0)
    }

    @Test("The pool's transaction helper commits and rolls back the same way")
    func poolTransaction() async throws {
        let pool = database.pool(size: 2)
        defer { pool.close() }
        try await pool.withTransaction { connection in
            _ = try connection.query("INSERT INTO items VALUES (40, 'pool')")
        }
        await #expect(throws: Boom.self) {
            try await pool.withTransaction { connection in
                try connection.query("INSERT INTO items VALUES (41, 'gone')")
                throw Boom()
            }
        }
        let ids = try await pool.withConnection { connection in
            try connection.query("SELECT id FROM items WHERE id >= 40 ORDER BY id").rows.map { try $0.decode(0, as: Int.self) }
        }
        #expect(ids == [40])
    }
}
