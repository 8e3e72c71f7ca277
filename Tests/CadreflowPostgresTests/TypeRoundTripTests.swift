import CadreflowPostgres
import CadreflowTesting
import Foundation
import Testing

@Suite("Values round-trip through parameters and results")
struct TypeRoundTripTests {
    let database: TestDatabase

    init() throws {
        database = try TestCluster.shared().makeDatabase(prefix: "types")
    }

    @Test("Vietnamese text, quotes, backslashes and newlines come back unchanged")
    func text() throws {
        let connection = try database.connect()
        let samples = ["Nguyễn Văn An", "Phường Láng Hạ \"A\" \\ tab\there", "dòng 1\ndòng 2", "'; DROP TABLE x; --", "", "Đặng Thị Ngọc Hà ✓"]
        try connection.execute("CREATE TABLE names (id int PRIMARY KEY, name text NOT NULL)")
        for (index, sample) in samples.enumerated() {
            try connection.query("INSERT INTO names VALUES ($1, $2)", index, sample)
        }
        let result = try connection.query("SELECT name FROM names ORDER BY id")
        #expect(try result.rows.map { try $0.decode(0, as: String.self) } == samples)
        let matched = try connection.query("SELECT id FROM names WHERE name = $1", "Nguyễn Văn An").scalar(Int.self)
        #expect(matched == 0)
    }

    @Test("Integers, doubles, exact decimals and booleans")
    func numbers() throws {
        let connection = try database.connect()
        let row = try connection.query(
            "SELECT $1::bigint, $2::int, $3::float8, $4::numeric(5,2), $5::boolean, $6::boolean",
            Int64.max, Int32.min, 0.1, Decimal(string: "89.95"), true, false
        )[0]
        #expect(try row.decode(0, as: Int64.self) == Int64.max)
        #expect(try row.decode(1, as: Int32.self) == Int32.min)
        #expect(try row.decode(2, as: Double.self) == 0.1)
        #expect(try row.decode(3, as: Decimal.self) == Decimal(string: "89.95"))
        #expect(try row.decode(4, as: Bool.self) == true)
        #expect(try row.decode(5, as: Bool.self) == false)
        // Exact arithmetic: 0.1 + 0.2 in numeric is exactly 0.3.
        let sum = try connection.query("SELECT $1::numeric + $2::numeric", Decimal(string: "0.1"), Decimal(string: "0.2")).scalar(Decimal.self)
        #expect(sum == Decimal(string: "0.3"))
    }

    @Test("Dates, timestamps with microseconds, UUIDs, JSON and bytes")
    func structured() throws {
        let connection = try database.connect()
        let instant = Date(timeIntervalSince1970: 1_717_200_000.123456)
        let id = UUID()
        let day = try #require(LocalDate("2024-02-29"))
        struct Payload: Codable, Equatable { var reason: String; var score: Int }
        let json = try PostgresJSON(encoding: Payload(reason: "nghỉ phép", score: 88))
        let bytes = Data([0, 1, 0xfe, 0xff])
        let row = try connection.query(
            "SELECT $1::timestamptz, $2::uuid, $3::date, $4::jsonb, $5::bytea, $3::date + 1",
            instant, id, day, json, bytes
        )[0]
        let decoded = try row.decode(0, as: Date.self)
        #expect(abs(decoded.timeIntervalSince1970 - instant.timeIntervalSince1970) < 0.000_001)
        #expect(try row.decode(1, as: UUID.self) == id)
        #expect(try row.decode(2, as: LocalDate.self) == day)
        #expect(try row.decode(3, as: PostgresJSON.self).decode(Payload.self) == Payload(reason: "nghỉ phép", score: 88))
        #expect(try row.decode(4, as: Data.self) == bytes)
        #expect(try row.decode(5, as: LocalDate.self) == LocalDate("2024-03-01"))
    }

    @Test("Timestamps written in another zone read back as the same instant")
    func timeZones() throws {
        let connection = try database.connect()
        let decoded = try connection.query("SELECT '2024-03-01 07:05:00+07'::timestamptz").scalar(Date.self)
        #expect(decoded == Date(timeIntervalSince1970: 1_709_251_500))
    }

    @Test("NULL decodes to nil for optionals and is an error naming the column otherwise")
    func nulls() throws {
        let connection = try database.connect()
        let result = try connection.query("SELECT NULL::text AS nickname, $1::int AS missing", Int?.none)
        #expect(try result.decode(String?.self, row: 0, column: "nickname") == nil)
        #expect(try result.decode(Int?.self, row: 0, column: 1) == nil)
        let error = #expect(throws: PostgresError.self) { try result.decode(String.self, row: 0, column: "nickname") }
        #expect(error?.code == .decoding)
        #expect(error?.column == "nickname")
        #expect(error?.message.contains("nickname") == true)
    }

    @Test("A value of the wrong type is a decoding error naming the column")
    func wrongType() throws {
        let connection = try database.connect()
        let result = try connection.query("SELECT 'abc'::text AS code")
        let error = #expect(throws: PostgresError.self) { try result.decode(Int.self, row: 0, column: "code") }
        #expect(error?.code == .decoding)
        #expect(error?.message.contains("code") == true)
    }

    @Test("Arrays travel as one parameter for set-based statements")
    func arrays() throws {
        let connection = try database.connect()
        let names = ["Lê Văn Bình", "a,b", "quote \" and \\", "{brace}"]
        let result = try connection.query(
            "SELECT n, t FROM unnest($1::bigint[], $2::text[]) AS u(n, t) ORDER BY n",
            [Int](1...4), names
        )
        #expect(try result.rows.map { try $0.decode(0, as: Int.self) } == [1, 2, 3, 4])
        #expect(try result.rows.map { try $0.decode(1, as: String.self) } == names)
    }

    @Test("A parameter with a NUL character is refused before it reaches the server")
    func nulCharacter() throws {
        let connection = try database.connect()
        let error = #expect(throws: PostgresError.self) { try connection.query("SELECT $1::text", "a\u{0}b") }
        #expect(error?.code == .invalidInput)
    }
}
