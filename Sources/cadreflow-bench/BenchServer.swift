import CadreflowDatabase
import CadreflowPostgres
import Foundation

/// The server a benchmark runs against: a given one, or a fresh durable cluster in a
/// temporary folder (fsync on, as in production) that is removed afterwards.
struct BenchServer {
    let connectionString: String
    private let cluster: EmbeddedCluster?
    private let folder: String?

    init(url: String?) throws {
        if let url, !url.isEmpty {
            connectionString = url
            cluster = nil
            folder = nil
            return
        }
        let path = FileManager.default.temporaryDirectory.path + "/cf-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o755)
        let cluster = try EmbeddedCluster(options: .init(dataDirectory: path, port: 55_432, databaseName: "bench", durable: true))
        connectionString = try cluster.start()
        self.cluster = cluster
        self.folder = path
    }

    func shutdown() {
        try? cluster?.stop()
        if let folder { try? FileManager.default.removeItem(atPath: folder) }
    }
}

/// Runs a PostgreSQL client tool (pgbench, psql) and returns its output and wall time.
enum ReferenceTool {
    static func run(_ name: String, _ arguments: [String]) throws -> (output: String, seconds: Double) {
        let folders = ["/usr/bin", "/usr/local/bin"] + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        guard let path = folders.map({ "\($0)/\(name)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ValidationFailure("\(name) not found: apt-get install postgresql-client")
        }
        let started = ContinuousClock.now
        let outcome = try ProcessRunner.run(path, arguments)
        let seconds = (ContinuousClock.now - started).seconds
        guard outcome.status == 0 else {
            throw ValidationFailure("\(name) failed: \(outcome.output.suffix(300))")
        }
        return (outcome.output, seconds)
    }

    /// The `tps = …` figure pgbench prints.
    static func pgbenchTPS(_ output: String) throws -> Double {
        for line in output.split(separator: "\n") where line.hasPrefix("tps = ") {
            let number = line.dropFirst(6).prefix { $0.isNumber || $0 == "." }
            if let value = Double(number) { return value }
        }
        throw ValidationFailure("no tps figure in pgbench output: \(output.suffix(300))")
    }
}

/// A benchmark step that could not run.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Prints aligned rows of figures.
struct FigureTable {
    private var rows: [[String]] = [["figure", "cadreflow", "reference", "ratio"]]

    mutating func add(_ figure: String, ours: Double, reference: Double, tool: String, unit: String) {
        rows.append([figure, "\(Self.format(ours)) \(unit)", "\(Self.format(reference)) \(unit) (\(tool))", String(format: "%.2f×", ours / reference)])
    }

    func print() {
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            Swift.print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }

    static func format(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value)) ?? "\(Int(value))"
    }
}

/// pgbench doing one transition's writes (an UPDATE of the instance row with its version,
/// then the history INSERT) with one commit each: the reference for durable transitions.
struct TransitionReference {
    private let conninfo: String
    private let script: String

    /// Creates the reference's tables with `rows` instances and its pgbench script.
    init(conninfo: String, rows: Int) throws {
        self.conninfo = conninfo
        let setup = try PostgresConnection.connect(conninfo)
        try setup.execute("""
            DROP TABLE IF EXISTS bench_ref, bench_ref_history;
            CREATE TABLE bench_ref (id int PRIMARY KEY, state text NOT NULL, version bigint NOT NULL, data jsonb NOT NULL DEFAULT '{}', updated_at timestamptz) WITH (fillfactor = 80);
            CREATE TABLE bench_ref_history (instance_id bigint, seq bigint, transition text, from_state text, to_state text, actor text, role text, at timestamptz DEFAULT now(), PRIMARY KEY (instance_id, seq));
            """)
        try setup.query("INSERT INTO bench_ref SELECT g, 'active', 1 FROM generate_series(1, $1::int) g", rows)
        script = FileManager.default.temporaryDirectory.appendingPathComponent("cf-bench-transition-\(UUID().uuidString.prefix(8)).sql").path
        try """
            \\set id random(1, \(rows))
            BEGIN;
            UPDATE bench_ref SET state = 'active', version = version + 1, updated_at = now() WHERE id = :id RETURNING version \\gset
            INSERT INTO bench_ref_history (instance_id, seq, transition, from_state, to_state, actor, role) VALUES (:id, :version, 'touch', 'active', 'active', 'bench', 'manager');
            COMMIT;
            """.write(toFile: script, atomically: true, encoding: .utf8)
    }

    /// Transactions per second at `clients` for `seconds`.
    func transactionsPerSecond(clients: Int, seconds: Int) throws -> Double {
        try ReferenceTool.pgbenchTPS(ReferenceTool.run("pgbench", [
            "-n", "-M", "prepared", "-c", "\(clients)", "-j", "\(min(clients, 2))", "-T", "\(max(1, seconds))", "-f", script, conninfo,
        ]).output)
    }

    /// Removes the script and the tables.
    func drop() {
        try? FileManager.default.removeItem(atPath: script)
        if let connection = try? PostgresConnection.connect(conninfo) { try? connection.execute("DROP TABLE IF EXISTS bench_ref, bench_ref_history") }
    }
}
