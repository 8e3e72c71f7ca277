import CadreflowPostgres
import CadreflowTesting
import Testing

@Suite("COPY FROM STDIN loads rows in bulk")
struct CopyTests {
    struct Stop: Error {}
    let database: TestDatabase

    init() throws {
        database = try TestCluster.shared().makeDatabase(prefix: "copy")
        try database.connect().execute("CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL, score numeric(5,2), note text)")
    }

    @Test("100,000 rows arrive complete, with escapes and NULLs intact")
    func hundredThousand() throws {
        let connection = try database.connect()
        let count = try connection.copyFrom("COPY people (id, name, score, note) FROM STDIN") { writer in
            for id in 1...100_000 {
                try writer.appendRow([String(id), "Trần Thị \(id)", id % 10 == 0 ? nil : "\(id % 100).5", id == 7 ? "tab\there\nnew \\ line" : nil])
            }
        }
        #expect(count == 100_000)
        let summary = try connection.query("SELECT count(*), sum(id), count(score), count(note) FROM people")[0]
        #expect(try summary.decode(0, as: Int.self) == 100_000)
        #expect(try summary.decode(1, as: Int.self) == 5_000_050_000)
        #expect(try summary.decode(2, as: Int.self) == 90_000)
        #expect(try summary.decode(3, as: Int.self) == 1)
        let note = try connection.query("SELECT note, name FROM people WHERE id = 7")[0]
        #expect(try note.decode(0, as: String.self) == "tab\there\nnew \\ line")
        #expect(try note.decode(1, as: String.self) == "Trần Thị 7")
    }

    @Test("A bad row rejects the whole COPY and the error names its line")
    func badRow() throws {
        let connection = try database.connect()
        let error = #expect(throws: PostgresError.self) {
            try connection.copyFrom("COPY people (id, name, score) FROM STDIN", rows: (1...1000).map { id in
                [String(id + 200_000), "x", id == 500 ? "not-a-number" : "1"]
            })
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.detail?.contains("line 500") == true)
        #expect(try connection.query("SELECT count(*) FROM people WHERE id > 200000").scalar(Int.self) == 0)
        // The connection stays usable.
        #expect(try connection.query("SELECT 1").scalar(Int.self) == 1)
    }

    @Test("A writer that throws aborts the COPY: nothing is stored")
    func clientAbort() throws {
        let connection = try database.connect()
        #expect(throws: Stop.self) {
            try connection.copyFrom("COPY people (id, name) FROM STDIN") { writer in
                for id in 300_001...300_100 { try writer.appendRow([String(id), "y"]) }
                throw Stop()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM people WHERE id > 300000").scalar(Int.self) == 0)
        #expect(try connection.query("SELECT 1").scalar(Int.self) == 1)
    }
}
