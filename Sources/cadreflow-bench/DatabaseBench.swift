import ArgumentParser
import CadreflowPostgres
import Foundation

/// `cadreflow-bench db`: the access layer against pgbench and psql on the same server.
struct DatabaseBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Round trips, pipelined inserts and COPY through the access layer, next to pgbench and psql \\copy."
    )

    @Option(help: "Statements for the round-trip figure.")
    var roundTrips = 20_000

    @Option(help: "Rows for the pipelined-insert figure (sent in pipelines of --batch).")
    var pipelinedRows = 200_000

    @Option(help: "Statements per pipeline (one implicit transaction each).")
    var batch = 1_000

    @Option(help: "Rows for the COPY figure.")
    var copyRows = 1_000_000

    @Option(name: .customLong("database-url"), help: "Benchmark this server instead of a fresh temporary cluster.")
    var databaseURL: String?

    func run() throws {
        let server = try BenchServer(url: databaseURL ?? ProcessInfo.processInfo.environment["CADREFLOW_BENCH_DATABASE_URL"])
        defer { server.shutdown() }
        let conninfo = server.connectionString
        let connection = try PostgresConnection.connect(conninfo)
        print("server: PostgreSQL \(try connection.query("SHOW server_version").scalar(String.self) ?? "?"), fsync=\(try connection.query("SHOW fsync").scalar(String.self) ?? "?")")
        var table = FigureTable()

        // 1. Single-statement round trips, one connection, one after another.
        var started = ContinuousClock.now
        for index in 0..<roundTrips {
            _ = try connection.query("SELECT $1::int", index)
        }
        let ours1 = Double(roundTrips) / (ContinuousClock.now - started).seconds
        let script1 = try writeScript("\\set n random(1, 1000000)\nSELECT :n::int;\n")
        let reference1 = try ReferenceTool.pgbenchTPS(ReferenceTool.run("pgbench", ["-n", "-M", "extended", "-c", "1", "-t", "\(roundTrips)", "-f", script1, conninfo]).output)
        table.add("single-statement round trips", ours: ours1, reference: reference1, tool: "pgbench -M extended", unit: "/s")

        // 2. Pipelined inserts: batches of `batch` inserts, each one implicit transaction.
        try connection.execute("DROP TABLE IF EXISTS bench_pipe, bench_pipe_ref; CREATE TABLE bench_pipe (id bigint, label text); CREATE TABLE bench_pipe_ref (id bigint, label text)")
        let batches = max(1, pipelinedRows / batch)
        started = ContinuousClock.now
        for batchIndex in 0..<batches {
            let statements = (0..<batch).map { offset in
                PostgresStatement("INSERT INTO bench_pipe VALUES ($1, $2)", batchIndex * batch + offset, "cán bộ \(offset)")
            }
            for result in try connection.pipeline(statements, mode: .atomic) { _ = try result.get() }
        }
        let ours2 = Double(batches * batch) / (ContinuousClock.now - started).seconds
        var pipeScript = "\\startpipeline\n"
        for offset in 0..<batch { pipeScript += "INSERT INTO bench_pipe_ref VALUES (\(offset), 'cán bộ \(offset)');\n" }
        pipeScript += "\\endpipeline\n"
        let script2 = try writeScript(pipeScript)
        let reference2 = try ReferenceTool.pgbenchTPS(ReferenceTool.run("pgbench", ["-n", "-M", "prepared", "-c", "1", "-t", "\(batches)", "-f", script2, conninfo]).output) * Double(batch)
        table.add("pipelined inserts (\(batch) per sync)", ours: ours2, reference: reference2, tool: "pgbench -M prepared \\startpipeline", unit: "rows/s")

        // 3. COPY FROM STDIN of the same rows psql \copy reads from a file.
        try connection.execute("DROP TABLE IF EXISTS bench_copy, bench_copy_ref; CREATE TABLE bench_copy (id bigint, name text, score numeric(5,2)); CREATE TABLE bench_copy_ref (id bigint, name text, score numeric(5,2))")
        // The same rows psql reads from a file, prepared in memory before the clock starts.
        let rows = (0..<copyRows).map { id -> [String?] in [String(id), "Nguyễn Văn \(id)", "\(id % 100).5"] }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cf-bench-copy-\(UUID().uuidString.prefix(8)).tsv").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var text = ""
        text.reserveCapacity(copyRows * 32)
        for id in 0..<copyRows { text += "\(id)\tNguyễn Văn \(id)\t\(id % 100).5\n" }
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        started = ContinuousClock.now
        let copied = try connection.copyFrom("COPY bench_copy (id, name, score) FROM STDIN", rows: rows)
        let ours3 = Double(copied) / (ContinuousClock.now - started).seconds
        let psql = try ReferenceTool.run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", "\\copy bench_copy_ref (id, name, score) FROM '\(file)'", conninfo])
        let reference3 = Double(copyRows) / psql.seconds
        table.add("COPY FROM STDIN", ours: ours3, reference: reference3, tool: "psql \\copy", unit: "rows/s")

        try connection.execute("DROP TABLE IF EXISTS bench_pipe, bench_pipe_ref, bench_copy, bench_copy_ref")
        table.print()
    }

    private func writeScript(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cf-bench-\(UUID().uuidString.prefix(8)).sql").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
