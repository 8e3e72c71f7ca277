import ArgumentParser
import CadreflowDatabase
import CadreflowEngine
import CadreflowPostgres
import Foundation
import Synchronization

/// `cadreflow-bench engine`: durable transitions/s at several concurrencies next to
/// pgbench doing the same UPDATE + history INSERT one commit at a time, and bulk
/// creation next to a bare INSERT … SELECT with the same indexes.
struct EngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Group-committed transitions and bulk creation, next to pgbench and a bare INSERT … SELECT."
    )

    @Option(help: "Seconds per concurrency level.")
    var seconds = 5

    @Option(help: "Concurrent clients, comma-separated.")
    var clients = "1,8,32"

    @Option(help: "Instances for the bulk-creation figure.")
    var bulkRows = 1_000_000

    @Option(help: "Connections a bulk creation is split over.")
    var bulkWorkers = 2

    @Option(help: "Group-commit writers (connections).")
    var lanes = 1

    @Option(name: .customLong("database-url"), help: "Benchmark this server instead of a fresh temporary cluster.")
    var databaseURL: String?

    static let definition = WorkflowDefinition(
        name: "bench", version: 1, states: ["active", "done"], initial: "active", final: ["done"],
        transitions: [
            TransitionDefinition(name: "touch", from: ["active"], to: "active", roles: ["manager"]),
            TransitionDefinition(name: "finish", from: ["active"], to: "done", roles: ["manager"]),
        ]
    )

    func run() async throws {
        let server = try BenchServer(url: databaseURL ?? ProcessInfo.processInfo.environment["CADREFLOW_BENCH_DATABASE_URL"])
        defer { server.shutdown() }
        let conninfo = server.connectionString
        let setup = try PostgresConnection.connect(conninfo)
        try setup.execute("DROP TABLE IF EXISTS bench_ref, bench_ref_history, bench_bulk_ref")
        try Migrator(migrations: Migration.bundled()).migrate(setup)
        let catalog = try WorkflowCatalog.register([Self.definition], connection: setup)
        let pool = PostgresPool(configuration: .init(connectionString: conninfo, size: 8))
        defer { pool.close() }
        let engine = WorkflowEngine(catalog: catalog, hooks: WorkflowHooks(), pool: pool, connectionString: conninfo, options: .init(lanes: lanes, timeZone: TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current, bulkWorkers: bulkWorkers))
        defer { engine.close() }
        let levels = clients.split(separator: ",").compactMap { Int($0) }
        let instances = levels.max() ?? 32
        // Keys of this run only: a database kept from an earlier run (CADREFLOW_BENCH_DATABASE_URL)
        // still holds that run's instances and their append-only history.
        let run = String(UInt64(Date().timeIntervalSince1970 * 1000))
        let keys = (0..<instances).map { "bench/\(run)/\($0)" }
        try await engine.bulkCreate(workflow: "bench", source: .rows(keys: keys), actor: Actor(name: "bench", role: "manager"))

        // The reference: the same two writes per transition, one commit each, by pgbench.
        let reference = try TransitionReference(conninfo: conninfo, rows: 1_000)
        defer { reference.drop() }

        var table = FigureTable()
        for level in levels {
            let before = engine.groupCommitStatistics
            let ours = try await transitionsPerSecond(engine: engine, clients: level, keys: keys)
            let after = engine.groupCommitStatistics
            let batch = Double(after.transitions - before.transitions) / Double(max(1, after.transactions - before.transactions))
            let pgbench = try reference.transactionsPerSecond(clients: level, seconds: seconds)
            table.add("durable transitions, \(level) clients (mean batch \(String(format: "%.1f", batch)))", ours: ours, reference: pgbench, tool: "pgbench, 1 commit each", unit: "/s")
        }

        // Bulk creation against a bare INSERT … SELECT into a table with the same indexes.
        try setup.execute("""
            CREATE TABLE bench_bulk_ref (
                id bigserial PRIMARY KEY, workflow text NOT NULL, definition_version integer NOT NULL, key text NOT NULL UNIQUE,
                state text NOT NULL, version bigint NOT NULL DEFAULT 1, data jsonb NOT NULL DEFAULT '{}',
                created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now()) WITH (fillfactor = 80)
            """)
        try setup.execute("CHECKPOINT")
        var started = ContinuousClock.now
        try setup.query(
            "INSERT INTO bench_bulk_ref (workflow, definition_version, key, state, data) SELECT 'bench', 1, 'bulk/' || g, 'active', jsonb_build_object('n', g) FROM generate_series(1, $1::int) g",
            bulkRows
        )
        let bare = (ContinuousClock.now - started).seconds
        // The reference's rows, under a key prefix of their own (each creation needs new keys).
        let rows = { (prefix: String) in
            BulkSource.query("SELECT $1::text || g, jsonb_build_object('n', g) FROM generate_series(1, $2::int) g", [prefix, bulkRows], expectedRows: bulkRows)
        }
        try setup.execute("CHECKPOINT")
        started = ContinuousClock.now
        let created = try await engine.bulkCreate(workflow: "bench", source: rows("bulk/\(run)/"), actor: Actor(name: "bench", role: "manager"))
        let ours = (ContinuousClock.now - started).seconds
        // The same creation in one transaction (one backend), for comparison.
        try setup.execute("CHECKPOINT")
        let single = WorkflowEngine(
            catalog: catalog, hooks: WorkflowHooks(), pool: pool, connectionString: conninfo, options: .init(lanes: 1, timeZone: TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current, bulkWorkers: 1)
        )
        defer { single.close() }
        started = ContinuousClock.now
        try await single.bulkCreate(workflow: "bench", source: rows("bulk1/\(run)/"), actor: Actor(name: "bench", role: "manager"))
        let oneTransaction = (ContinuousClock.now - started).seconds
        table.print()
        print(String(format: "bulk creation of %d instances (+ %d history rows) over %d connections: %.2f s; bare INSERT … SELECT of the same rows with the same indexes: %.2f s; ratio %.2f×",
                     created, created, bulkWorkers, ours, bare, ours / bare))
        print(String(format: "the same bulk creation in one transaction: %.2f s; ratio %.2f×", oneTransaction, oneTransaction / bare))
        try setup.execute("DROP TABLE IF EXISTS bench_ref, bench_ref_history, bench_bulk_ref")
    }

    /// Runs `clients` tasks, each moving its own instance over and over, for `seconds`.
    private func transitionsPerSecond(engine: WorkflowEngine, clients: Int, keys: [String]) async throws -> Double {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let started = ContinuousClock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in 0..<clients {
                let key = keys[client % keys.count]
                group.addTask {
                    var done = 0
                    let actor = Actor(name: "bench", role: "manager")
                    while ContinuousClock.now < deadline {
                        try await engine.transition(TransitionCommand(instance: .key(key), transition: "touch", actor: actor))
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / (ContinuousClock.now - started).seconds
    }
}
