import CadreflowDatabase
import CadreflowPostgres
import CadreflowTesting
import Foundation
import Testing

@Suite("Migrations are applied once, in order, each in its own transaction")
struct MigratorTests {
    let database: TestDatabase

    init() throws {
        database = try TestCluster.shared().makeDatabase(prefix: "migrate")
    }

    private func migrations(_ files: [(String, String)]) throws -> [Migration] {
        try files.map { try Migration(name: $0.0, sql: $0.1) }
    }

    @Test("Pending migrations are applied in numeric order and recorded with checksums; a second run does nothing")
    func appliesInOrder() throws {
        let set = try migrations([
            ("002_second.sql", "ALTER TABLE first ADD COLUMN note text;"),
            ("001_first.sql", "CREATE TABLE first (id int PRIMARY KEY);"),
            ("010_tenth.sql", "INSERT INTO first (id, note) VALUES (1, 'mười');"),
        ])
        let connection = try database.connect()
        let applied = try Migrator(migrations: set).migrate(connection)
        #expect(applied.map(\.version) == [1, 2, 10])
        #expect(try connection.query("SELECT note FROM first").scalar(String.self) == "mười")
        let recorded = try connection.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
        #expect(try recorded.rows.map { try $0.decode(0, as: Int.self) } == [1, 2, 10])
        #expect(try recorded.decode(String.self, row: 0, column: 1) == set.first { $0.version == 1 }?.checksum)
        #expect(try Migrator(migrations: set).migrate(connection).isEmpty)
        let status = try Migrator(migrations: set).status(connection)
        #expect(status.allSatisfy { $0.appliedAt != nil })
    }

    @Test("An applied migration whose file was edited is refused, naming the file")
    func editedFileRefused() throws {
        let connection = try database.connect()
        try Migrator(migrations: migrations([("001_a.sql", "CREATE TABLE a (id int);")])).migrate(connection)
        let edited = try migrations([("001_a.sql", "CREATE TABLE a (id bigint);"), ("002_b.sql", "CREATE TABLE b (id int);")])
        let error = #expect(throws: DatabaseSetupError.self) { try Migrator(migrations: edited).migrate(connection) }
        #expect(error?.message.contains("001_a.sql") == true)
        #expect(error?.message.contains("edited") == true)
        // Nothing after the refusal was applied.
        #expect(try connection.query("SELECT to_regclass('b') IS NULL").scalar(Bool.self) == true)
    }

    @Test("A database with a migration this build does not know is refused")
    func unknownMigrationRefused() throws {
        let connection = try database.connect()
        try Migrator(migrations: migrations([("001_a.sql", "SELECT 1;"), ("002_b.sql", "SELECT 2;")])).migrate(connection)
        let error = #expect(throws: DatabaseSetupError.self) {
            try Migrator(migrations: migrations([("001_a.sql", "SELECT 1;")])).migrate(connection)
        }
        #expect(error?.message.contains("002_b.sql") == true)
    }

    @Test("A failing migration leaves nothing behind and is not recorded")
    func failingMigrationRollsBack() throws {
        let connection = try database.connect()
        let set = try migrations([
            ("001_ok.sql", "CREATE TABLE ok (id int);"),
            ("002_bad.sql", "CREATE TABLE half (id int); INSERT INTO missing_table VALUES (1);"),
        ])
        let error = #expect(throws: DatabaseSetupError.self) { try Migrator(migrations: set).migrate(connection) }
        #expect(error?.message.contains("002_bad.sql") == true)
        #expect(try connection.query("SELECT to_regclass('half') IS NULL").scalar(Bool.self) == true)
        #expect(try connection.query("SELECT max(version) FROM schema_migrations").scalar(Int.self) == 1)
    }

    @Test("Two migrators starting at once apply each migration exactly once")
    func concurrentStarts() async throws {
        let set = try migrations([
            ("001_counter.sql", "CREATE TABLE runs (n int); INSERT INTO runs VALUES (1); SELECT pg_sleep(0.3);"),
            ("002_more.sql", "INSERT INTO runs VALUES (2);"),
        ])
        let pool = database.pool(size: 2)
        defer { pool.close() }
        let conninfo = database.connectionString
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await pool.withConnection { _ in
                        try Migrator(migrations: set).migrate(PostgresConnection.connect(conninfo)).count
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts.sorted() == [0, 2])
        let rows = try database.connect().query("SELECT n FROM runs ORDER BY n").rows.map { try $0.decode(0, as: Int.self) }
        #expect(rows == [1, 2])
    }

    @Test("File names must carry a number; duplicate numbers are refused")
    func fileNames() throws {
        #expect(throws: DatabaseSetupError.self) { try Migration(name: "create_units.sql", sql: "") }
        #expect(throws: DatabaseSetupError.self) { try Migration(name: "001create.sql", sql: "") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "SELECT 1;".write(to: folder.appendingPathComponent("001_a.sql"), atomically: true, encoding: .utf8)
        try "SELECT 2;".write(to: folder.appendingPathComponent("001_b.sql"), atomically: true, encoding: .utf8)
        let error = #expect(throws: DatabaseSetupError.self) { try Migration.load(directory: folder) }
        #expect(error?.message.contains("share the number 1") == true)
    }

    @Test("The migrations shipped in sql/ apply cleanly to an empty database")
    func bundledMigrations() throws {
        let connection = try database.connect()
        let shipped = try Migration.bundled()
        #expect(!shipped.isEmpty)
        let applied = try Migrator(migrations: shipped).migrate(connection)
        #expect(applied.count == shipped.count)
        // The organisation tables exist and accept Vietnamese names.
        try connection.query("INSERT INTO units (code, name, path) VALUES ($1, $2, $1)", "HN", "Thành phố Hà Nội")
        #expect(try connection.query("SELECT name FROM units WHERE code = 'HN'").scalar(String.self) == "Thành phố Hà Nội")
    }
}
