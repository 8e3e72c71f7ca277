import ArgumentParser
import CadreflowCommands
import CadreflowDatabase
import CadreflowDefinitions
import CadreflowRules
import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowServer
import Foundation
import Logging

/// `cadreflow-bench protocol`: commands through the admin protocol, one at a time and
/// pipelined, from 1 and 50 connections. PING stands next to redis-server answering the
/// same client; the database reads (CADRE SHOW of random cadres among 100,000, CADRE LIST
/// of a 1,000-cadre unit, UNIT SHOW) stand next to `pgbench -S -M prepared` (and a
/// 1,000-row range select) on the same server in the same run.
struct ProtocolBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocol",
        abstract: "Protocol ops/s and p50/p99 latency next to redis-server (PING) and pgbench -S -M prepared (database reads)."
    )

    @Option(help: "Seconds per figure.") var seconds = 3.0
    @Option(help: "Requests per pipelined group.") var depth = 16
    @Option(help: "Connections of the service's read lanes (database.read_connections).") var readConnections = 2
    @Option(help: "Reads one lane sends in one pipelined batch at most.") var readBatch = 64
    @Option(help: "One-statement reads on each event loop's own connection (database.event_loop_reads); false: by the read lanes.") var inlineReads = true
    @Option(help: "Cadres in the benchmark city (CADRE SHOW picks among them).") var cadres = 100_000
    @Option(help: "Only the figures whose name contains this text (e.g. \"CADRE SHOW\").") var only: String?
    @Option(help: "Keep the benchmark's server up this many seconds for an outside client (prints its port), then exit.") var hold: Double?

    func run() async throws {
        let server = try BenchServer(url: nil)
        defer { server.shutdown() }
        let setup = try PostgresConnection.connect(server.connectionString)
        try Migrator(migrations: Migration.bundled()).migrate(setup)
        let pool = PostgresPool(configuration: .init(connectionString: server.connectionString, size: 8, readConnections: readConnections, maxReadBatch: readBatch, inlineReads: inlineReads))
        defer { pool.close() }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let catalog = try WorkflowCatalog.register([], connection: setup)
        let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current
        let engine = WorkflowEngine(catalog: catalog, hooks: WorkflowHooks(), pool: pool, connectionString: server.connectionString, options: .init(timeZone: zone))
        defer { engine.close() }
        let accounts = AccountStore(pool: pool, lockout: .init(failures: 5, seconds: 900))
        try await accounts.bootstrapAdmin(password: "bench-password", logger: logger)
        try seedCity(setup)
        let scheduler = try Scheduler(schedules: [], actions: [:], engine: engine, timeZone: zone)
        let domain = Domain(pool: pool, engine: engine, calendar: Domain.calendar(timeZone: zone), rules: try RuleSetCatalog.load(folder: DefinitionFiles.rulesFolder(configured: "")))
        let context = ServerContext(
            pool: pool, accounts: accounts,
            limits: ProtocolLimits(maxLineBytes: 16_384, maxArguments: 256, maxUploadBytes: 1 << 28, idleTimeoutSeconds: 0, maxConnections: 1_000, maxConnectionsPerAccount: 1_000),
            version: "bench", logger: logger, groups: CadreflowCommandGroups.all(domain: domain, engine: engine, scheduler: scheduler)
        )
        let (ready, continuation) = AsyncStream<Int>.makeStream()
        let listener = Task {
            try await ProtocolServer.run(host: "127.0.0.1", port: 0, context: context) { continuation.yield($0.port ?? 0) }
        }
        defer { listener.cancel() }
        var port = 0
        for await bound in ready { port = bound; break }
        // The same service on a unix-domain socket too: the transport pgbench uses to reach
        // the embedded PostgreSQL (which listens on no TCP port), for a like-for-like figure.
        let socketPath = FileManager.default.temporaryDirectory.path + "/cadreflow-bench-\(getpid()).sock"
        let (socketReady, socketContinuation) = AsyncStream<Void>.makeStream()
        let socketListener = Task {
            try await ProtocolServer.run(.unixSocket(path: socketPath), context: context) { _ in socketContinuation.yield(()) }
        }
        defer {
            socketListener.cancel()
            unlink(socketPath)
        }
        for await _ in socketReady { break }

        if let hold {
            print("listening on 127.0.0.1:\(port) (AUTH admin bench-password) for \(hold) s")
            try await Task.sleep(for: .milliseconds(Int(hold * 1000)))
            return
        }
        let references = try ReadReferences(connectionString: server.connectionString, seconds: seconds)
        let redisPort = 46_379
        let redis = try startRedis(port: redisPort)
        defer {
            redis.stop()
            if redis.isRunning { print("warning: redis-server (pid \(redis.pid)) is still running") }
        }
        try await Task.sleep(for: .milliseconds(500))

        let login = ["AUTH admin bench-password"]
        var table = LatencyTable(only: only)
        let showRequests = (0..<4_096).map { _ in "CADRE SHOW C\(Int.random(in: 0..<cadres))" }
        for connections in [1, 10, 50] {
            for pipeline in [1, depth] {
                let shape = "\(connections) conn, \(pipeline == 1 ? "one at a time" : "pipelined ×\(pipeline)")"
                if table.wants("PING, \(shape)") {
                    let redisFigures = try ProtocolLoad.run(port: redisPort, connections: connections, seconds: seconds, pipeline: pipeline, login: [], requests: ["PING"])
                    let ping = try ProtocolLoad.run(port: port, connections: connections, seconds: seconds, pipeline: pipeline, login: login, requests: ["PING"])
                    table.add("PING, \(shape)", ours: ping, reference: redisFigures, tool: "redis PING")
                }
                if table.wants("CADRE SHOW, \(shape)") {
                    let pgbenchS = try references.pointSelect(clients: connections)
                    let show = try ProtocolLoad.run(port: port, connections: connections, seconds: seconds, pipeline: pipeline, login: login, requests: showRequests)
                    table.add("CADRE SHOW, \(shape)", ours: show, reference: pgbenchS, tool: "pgbench -S -c \(connections)")
                }
                if table.wants("CADRE SHOW, \(shape), unix socket") {
                    let pgbenchS = try references.pointSelect(clients: connections)
                    let show = try ProtocolLoad.run(
                        port: port, connections: connections, seconds: seconds, pipeline: pipeline, login: login, requests: showRequests, unixSocket: socketPath
                    )
                    table.add("CADRE SHOW, \(shape), unix socket", ours: show, reference: pgbenchS, tool: "pgbench -S -c \(connections)")
                }
            }
        }
        if table.wants("UNIT SHOW, 50 conn, one at a time") {
            let pgbenchS50 = try references.pointSelect(clients: 50)
            let unitShow = try ProtocolLoad.run(port: port, connections: 50, seconds: seconds, pipeline: 1, login: login, requests: ["UNIT SHOW HN.A"])
            table.add("UNIT SHOW, 50 conn, one at a time", ours: unitShow, reference: pgbenchS50, tool: "pgbench -S -c 50")
        }
        for connections in [1, 50] where table.wants("CADRE LIST unit= (1,000 rows), \(connections) conn") {
            let range = try references.rangeSelect(clients: connections)
            let list = try ProtocolLoad.run(port: port, connections: connections, seconds: seconds, pipeline: 1, login: login, requests: ["CADRE LIST unit=HN.A"])
            table.add("CADRE LIST unit= (1,000 rows), \(connections) conn", ours: list, reference: range, tool: "pgbench 1,000-row select -c \(connections)")
        }
        table.print()
        print("(pipelined latencies are per group of \(depth); the same client drives every server; read lanes: \(readConnections); one-statement reads \(inlineReads ? "on each event loop's own connection" : "by the read lanes"))")
        print("targets: CADRE SHOW 50 conn one at a time ≥ 0.50× pgbench -S with p99 ≤ 10 ms; 1 conn pipelined ×16 ≥ 12,300/s (3× 4,100/s)")
    }

    /// The root `HN`, a 1,000-cadre unit `HN.A` for the list, and the rest of the cadres
    /// spread over 99 more units.
    private func seedCity(_ connection: PostgresConnection) throws {
        try connection.query("INSERT INTO units (code, name, path) VALUES ('HN', 'Hà Nội', 'HN')")
        try connection.query("INSERT INTO units (code, name, parent_code, path) VALUES ('HN.A', 'Phường Ba Đình', 'HN', 'HN/HN.A')")
        try connection.query(
            """
            INSERT INTO units (code, name, parent_code, path)
            SELECT 'HN.U' || n, 'Xã ' || n, 'HN', 'HN/HN.U' || n FROM generate_series(1, 99) n
            """
        )
        try connection.query(
            """
            INSERT INTO cadres (code, full_name, unit_code, position, level, born, sex)
            SELECT 'C' || n, 'Nguyễn Thị Cán Bộ ' || n,
                   CASE WHEN n < 1000 THEN 'HN.A' ELSE 'HN.U' || (1 + n % 99) END,
                   'chuyên viên', 'staff', date '1980-01-01' + (n % 7000), CASE WHEN n % 2 = 0 THEN 'f' ELSE 'm' END
            FROM generate_series(0, $1 - 1) n
            """,
            max(cadres, 1_000)
        )
        try connection.execute("ANALYZE units; ANALYZE cadres")
    }

    private func startRedis(port: Int) throws -> RunningProcess {
        guard let path = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ValidationFailure("redis-server not found: apt-get install redis-server")
        }
        // The project's own runner: the child gets no blocked signals, so SIGTERM stops it.
        return try ProcessRunner.start(path, ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
    }
}

/// pgbench on the benchmark's server: its own tables (`pgbench -i`, scale 1: 100,000
/// accounts), then `-S -M prepared` (one random primary-key select per transaction) and a
/// 1,000-row range select, for `seconds` each, figures cached per client count.
final class ReadReferences {
    private let connectionString: String
    private let seconds: Double
    private var pointFigures: [Int: ProtocolLoad.Figures] = [:]
    private var rangeFigures: [Int: ProtocolLoad.Figures] = [:]
    private let rangeScript: String

    init(connectionString: String, seconds: Double) throws {
        self.connectionString = connectionString
        self.seconds = seconds
        _ = try ReferenceTool.run("pgbench", ["-i", "-q", "-s", "1", connectionString])
        rangeScript = FileManager.default.temporaryDirectory.appendingPathComponent("cf-bench-range-\(UUID().uuidString.prefix(8)).sql").path
        try "\\set a random(1, 99000)\nSELECT aid, bid, abalance, filler FROM pgbench_accounts WHERE aid BETWEEN :a AND :a + 999;\n"
            .write(toFile: rangeScript, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: rangeScript) }

    func pointSelect(clients: Int) throws -> ProtocolLoad.Figures {
        if let known = pointFigures[clients] { return known }
        let figures = try pgbench(["-S"], clients: clients)
        pointFigures[clients] = figures
        return figures
    }

    func rangeSelect(clients: Int) throws -> ProtocolLoad.Figures {
        if let known = rangeFigures[clients] { return known }
        let figures = try pgbench(["-f", rangeScript], clients: clients)
        rangeFigures[clients] = figures
        return figures
    }

    private func pgbench(_ workload: [String], clients: Int) throws -> ProtocolLoad.Figures {
        let threads = min(clients, 2)
        let output = try ReferenceTool.run(
            "pgbench", ["-n", "-M", "prepared"] + workload + ["-c", "\(clients)", "-j", "\(threads)", "-T", "\(max(1, Int(seconds.rounded())))", "-r", connectionString]
        ).output
        let tps = try ReferenceTool.pgbenchTPS(output)
        return ProtocolLoad.Figures(operationsPerSecond: tps, p50Milliseconds: .nan, p99Milliseconds: Self.averageLatency(output))
    }

    /// pgbench prints the mean latency (`latency average = 0.123 ms`), not percentiles.
    private static func averageLatency(_ output: String) -> Double {
        for line in output.split(separator: "\n") where line.hasPrefix("latency average = ") {
            if let value = Double(line.dropFirst(18).prefix { $0.isNumber || $0 == "." }) { return value }
        }
        return .nan
    }
}

/// Rows of protocol figures next to a reference, aligned.
struct LatencyTable {
    private var rows: [[String]] = [["figure", "cadreflow", "p50 / p99 / max ms", "reference", "its latency ms", "ratio"]]
    /// Only figures whose name holds this text are measured (nil: all).
    let only: String?

    init(only: String?) {
        self.only = only
    }

    /// Whether the figure called `name` is measured.
    func wants(_ name: String) -> Bool { only.map { name.contains($0) } ?? true }

    mutating func add(_ figure: String, ours: ProtocolLoad.Figures, reference: ProtocolLoad.Figures, tool: String) {
        let referenceLatency = reference.p50Milliseconds.isNaN
            ? String(format: "mean %.2f", reference.p99Milliseconds)
            : String(format: "%.2f / %.2f / %.0f", reference.p50Milliseconds, reference.p99Milliseconds, reference.maxMilliseconds)
        rows.append([
            figure, FigureTable.format(ours.operationsPerSecond) + "/s",
            String(format: "%.2f / %.2f / %.0f", ours.p50Milliseconds, ours.p99Milliseconds, ours.maxMilliseconds),
            FigureTable.format(reference.operationsPerSecond) + "/s (\(tool))", referenceLatency,
            String(format: "%.2f×", ours.operationsPerSecond / reference.operationsPerSecond),
        ])
    }

    func print() {
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            Swift.print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
