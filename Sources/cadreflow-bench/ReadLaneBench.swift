import ArgumentParser
import CadreflowDatabase
import CadreflowPostgres
import Foundation

/// `cadreflow-bench reads`: the pool's pipelined read lanes alone (no protocol), from 1 to
/// 64 concurrent tasks, next to `pgbench -S -M prepared` with as many clients.
struct ReadLaneBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reads",
        abstract: "Primary-key reads/s through PostgresPool.read (read lanes) next to pgbench -S -M prepared."
    )

    @Option(help: "Seconds per figure.") var seconds = 3.0
    @Option(help: "Read lanes.") var readConnections = 2

    func run() async throws {
        let server = try BenchServer(url: nil)
        defer { server.shutdown() }
        _ = try ReferenceTool.run("pgbench", ["-i", "-q", "-s", "1", server.connectionString])
        let pool = PostgresPool(configuration: .init(connectionString: server.connectionString, size: 4, readConnections: readConnections))
        defer { pool.close() }
        var table = FigureTable()
        for tasks in [1, 16, 50] {
            let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
            let started = ContinuousClock.now
            let count = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        var done = 0
                        while ContinuousClock.now < deadline {
                            _ = try await pool.read("SELECT abalance FROM pgbench_accounts WHERE aid = $1", [Int.random(in: 1...100_000)]) {
                                try $0.scalar(Int.self)
                            }
                            done += 1
                        }
                        return done
                    }
                }
                return try await group.reduce(0, +)
            }
            let ours = Double(count) / (ContinuousClock.now - started).seconds
            let output = try ReferenceTool.run(
                "pgbench", ["-n", "-M", "prepared", "-S", "-c", "\(tasks)", "-j", "\(min(tasks, 2))", "-T", "\(max(1, Int(seconds)))", server.connectionString]
            ).output
            table.add("reads, \(tasks) concurrent", ours: ours, reference: try ReferenceTool.pgbenchTPS(output), tool: "pgbench -S -c \(tasks)", unit: "/s")
        }
        table.print()
    }
}
