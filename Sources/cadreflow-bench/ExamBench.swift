import ArgumentParser
import CadreflowCommands
import CadreflowDatabase
import CadreflowDefinitions
import CadreflowDomain
import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import CadreflowServer
import Foundation
import Logging

/// `cadreflow-bench exam-import`: a written-round results file of `rows` marks (spread over
/// `exams` exams in their written round) imported through the protocol — upload, COPY into
/// staging, every check, the insert, the reveal of the exams it completes — beside `psql
/// \copy` of the same CSV into a bare table on the same server in the same run.
struct ExamBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exam-import",
        abstract: "EXAM IMPORT written of a large file through the protocol, against psql \\copy of the same file."
    )

    @Option(help: "Marks in the file (one per paper).") var rows = 100_000
    @Option(help: "Exams the papers are spread over.") var exams = 1_000

    func run() async throws {
        let server = try BenchServer(url: nil)
        defer { server.shutdown() }
        let conninfo = server.connectionString
        let setup = try PostgresConnection.connect(conninfo)
        try Migrator(migrations: Migration.bundled()).migrate(setup)
        let definitions = try DefinitionLoader.loadFolder(DefinitionFiles.workflowsFolder(configured: ""), vocabulary: Domain.vocabulary)
        let catalog = try WorkflowCatalog.register(definitions, connection: setup)
        let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current
        let pool = PostgresPool(configuration: .init(connectionString: conninfo, size: 8))
        defer { pool.close() }
        let engine = WorkflowEngine(catalog: catalog, hooks: Domain.hooks, pool: pool, connectionString: conninfo, options: .init(timeZone: zone))
        defer { engine.close() }
        let domain = Domain(pool: pool, engine: engine, calendar: Domain.calendar(timeZone: zone), rules: try RuleSetCatalog.load(folder: DefinitionFiles.rulesFolder(configured: "")))
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let accounts = AccountStore(pool: pool, lockout: .init(failures: 5, seconds: 900))
        try await accounts.bootstrapAdmin(password: "bench-password", logger: logger)

        print("seeding \(exams) exams in their written round with \(rows) papers …")
        let file = try seed(setup, domain: domain, engine: engine)
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("cf-bench-marks-\(UUID().uuidString.prefix(8)).csv").path
        try (file.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: csv) }

        // The reference: psql \copy of the same file into a bare table.
        try setup.execute("CREATE TABLE bench_marks_ref (exam text, paper text, score numeric(5,2)); CHECKPOINT")
        let reference = try ReferenceTool.run("psql", [conninfo, "-v", "ON_ERROR_STOP=1", "-q", "-c", "\\copy bench_marks_ref FROM '\(csv)' WITH (FORMAT csv, HEADER)"]).seconds
        try setup.execute("DROP TABLE bench_marks_ref; CHECKPOINT")

        // Ours: the same lines as an upload through the protocol.
        let context = ServerContext(
            pool: pool, accounts: accounts,
            limits: ProtocolLimits(maxLineBytes: 16_384, maxArguments: 256, maxUploadBytes: 1 << 28, idleTimeoutSeconds: 0, maxConnections: 100, maxConnectionsPerAccount: 100),
            version: "bench", logger: logger,
            groups: CadreflowCommandGroups.all(domain: domain, engine: engine, scheduler: try Scheduler(schedules: [], actions: [:], engine: engine, timeZone: zone))
        )
        let (ready, continuation) = AsyncStream<Int>.makeStream()
        let listener = Task { try await ProtocolServer.run(host: "127.0.0.1", port: 0, context: context) { continuation.yield($0.port ?? 0) } }
        defer { listener.cancel() }
        var port = 0
        for await bound in ready { port = bound; break }
        let connection = try LineConnection(port: port)
        _ = try connection.readGreeting()
        guard try connection.roundTrip(["AUTH admin bench-password"]).first?.hasPrefix("OK") == true else { throw ValidationFailure("AUTH failed") }
        let started = ContinuousClock.now
        guard try connection.roundTrip(["EXAM IMPORT written format=csv"]).first?.hasPrefix("GO") == true else { throw ValidationFailure("no GO") }
        try connection.send(file + ["."])
        let reply = try connection.awaitReplies(1)[0]
        let ours = (ContinuousClock.now - started).seconds
        guard reply.hasPrefix("OK") else { throw ValidationFailure("import failed: \(reply.prefix(300))") }
        let stored = try setup.query("SELECT count(*) FROM exam_written_marks").scalar(Int.self) ?? 0
        let revealed = try setup.query("SELECT count(*) FROM workflow_instances WHERE workflow = 'exam' AND state = 'defense'").scalar(Int.self) ?? 0
        print(String(
            format: "EXAM IMPORT written of %d rows (%d exams, %d revealed) through the protocol: %.2f s (%@ rows/s); psql \\copy of the same CSV into a bare table: %.2f s; ratio %.2f× (target ≤ 2×)",
            stored, exams, revealed, ours, FigureTable.format(Double(stored) / ours), reference, ours / reference
        ))
    }

    /// `exams` exams for posts of SNV taken to their written round through the engine, with
    /// `rows` candidates between them; returns the results file, one random mark per paper.
    private func seed(_ connection: PostgresConnection, domain: Domain, engine: WorkflowEngine) throws -> [String] {
        try connection.query("INSERT INTO units (code, name, path) VALUES ('HN', 'Hà Nội', 'HN'), ('SNV', 'Sở Nội vụ', 'HN/SNV')")
        try connection.query(
            "INSERT INTO cadres (code, full_name, unit_code, level, born, sex, planning) SELECT 'C' || n, 'Cán bộ ' || n, 'HN', 'staff', date '1980-01-01', 'm', true FROM generate_series(0, $1::int - 1) n",
            rows
        )
        let organizer = Requester(login: "bench", role: .organizer, scope: .everything)
        try connection.transaction { connection in
            for exam in 0..<exams {
                _ = try domain.exams.create("E\(exam)", options: ["post": "Phó Giám đốc \(exam)", "unit": "SNV"], by: organizer, on: connection)
            }
        }
        var generator = SystemRandomNumberGenerator()
        let candidates = (0..<rows).map { n -> [String?] in ["E\(n % exams)", "C\(n)", "2026-03-01 09:00+07", "bench", "passed", "t", "t"] }
        try connection.copyFrom("COPY exam_candidates (exam, cadre_code, registered_at, registered_by, checks, checks_passed, eligible) FROM STDIN", rows: candidates)
        // Each exam announced, closed and started through the engine: START draws the codes.
        let organizerActor = Actor(name: "bench", role: "organizer")
        try connection.transaction { connection in
            let moves = engine.on(connection)
            for exam in 0..<exams {
                let key = ExamService.key("E\(exam)")
                try moves.move(.key(key), transition: "announce", actor: organizerActor, fields: ["registration_deadline": "2099-12-31"])
                try moves.move(.key(key), transition: "close_registration", actor: organizerActor)
                try moves.move(.key(key), transition: "start", actor: organizerActor)
            }
        }
        try connection.execute("ANALYZE; CHECKPOINT")
        var file = ["exam,paper,score"]
        for row in try connection.query("SELECT exam, code FROM exam_papers ORDER BY exam, code").rows {
            let exam: String = try row.decode(0)
            let code: String = try row.decode(1)
            file.append("\(exam),\(code),\(Int.random(in: 0...99, using: &generator)).\(Int.random(in: 0...99, using: &generator))")
        }
        return file
    }
}
