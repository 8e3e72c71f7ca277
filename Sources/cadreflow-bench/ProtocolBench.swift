import ArgumentParser
import CadreflowCommands
import CadreflowDatabase
import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowServer
import Foundation
import Logging

/// `cadreflow-bench protocol`: PING and a read command through the admin protocol, one at
/// a time and pipelined, from 1 and 50 connections, next to the same client sending PING
/// to a local redis-server.
struct ProtocolBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocol",
        abstract: "Protocol ops/s and p50/p99 latency next to redis-server answering PING to the same client."
    )

    @Option(help: "Seconds per figure.") var seconds = 3.0
    @Option(help: "Requests per pipelined group.") var depth = 16

    func run() async throws {
        let server = try BenchServer(url: nil)
        defer { server.shutdown() }
        let setup = try PostgresConnection.connect(server.connectionString)
        try Migrator(migrations: Migration.bundled()).migrate(setup)
        let pool = PostgresPool(configuration: .init(connectionString: server.connectionString, size: 8))
        defer { pool.close() }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let catalog = try WorkflowCatalog.register([], connection: setup)
        let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current
        let engine = WorkflowEngine(catalog: catalog, hooks: WorkflowHooks(), pool: pool, connectionString: server.connectionString, options: .init(timeZone: zone))
        defer { engine.close() }
        let accounts = AccountStore(pool: pool, lockout: .init(failures: 5, seconds: 900))
        try await accounts.bootstrapAdmin(password: "bench-password", logger: logger)
        try setup.query("INSERT INTO units (code, name, path) VALUES ('HN', 'Hà Nội', 'HN')")
        let scheduler = try Scheduler(schedules: [], actions: [:], engine: engine, timeZone: zone)
        let domain = Domain(pool: pool, engine: engine, calendar: Domain.calendar(timeZone: zone))
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

        let redisPort = 46_379
        let redis = try startRedis(port: redisPort)
        defer { redis.terminate() }
        try await Task.sleep(for: .milliseconds(500))

        let login = ["AUTH admin bench-password"]
        var rows: [[String]] = [["figure", "cadreflow", "p50 / p99 ms", "redis PING", "p50 / p99 ms", "ratio"]]
        for connections in [1, 50] {
            for pipeline in [1, depth] {
                let redisFigures = try ProtocolLoad.run(port: redisPort, connections: connections, seconds: seconds, pipeline: pipeline, login: [], request: "PING")
                for (name, request) in [("PING", "PING"), ("UNIT SHOW (database read)", "UNIT SHOW HN")] {
                    let ours = try ProtocolLoad.run(port: port, connections: connections, seconds: seconds, pipeline: pipeline, login: login, request: request)
                    rows.append([
                        "\(name), \(connections) conn, \(pipeline == 1 ? "one at a time" : "pipelined ×\(pipeline)")",
                        FigureTable.format(ours.operationsPerSecond) + "/s", String(format: "%.2f / %.2f", ours.p50Milliseconds, ours.p99Milliseconds),
                        FigureTable.format(redisFigures.operationsPerSecond) + "/s",
                        String(format: "%.2f / %.2f", redisFigures.p50Milliseconds, redisFigures.p99Milliseconds),
                        String(format: "%.2f×", ours.operationsPerSecond / redisFigures.operationsPerSecond),
                    ])
                }
            }
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        print("(pipelined latencies are per group of \(depth); the same client drives both servers)")
    }

    private func startRedis(port: Int) throws -> Process {
        guard let path = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ValidationFailure("redis-server not found: apt-get install redis-server")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
