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

/// `cadreflow-bench assessment`: the monthly assessment at city scale, each figure beside
/// its reference in the same run: a month opened for a million cadres against a bare
/// INSERT … SELECT of the same rows into a table with the same indexes; SELF + REVIEW +
/// APPROVE through the protocol at 32 connections against pgbench doing the same UPDATE +
/// history INSERT with one commit each; REPORT PROGRESS and REPORT GRADES of that month.
struct AssessmentBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assessment",
        abstract: "Month opening, submits through the protocol and the month's reports at city scale."
    )

    @Option(help: "Cadres in the benchmark city.") var cadres = 1_000_000
    @Option(help: "Units they are spread over.") var units = 1_000
    @Option(help: "Seconds for the submit figure.") var seconds = 3.0
    @Option(help: "Connections submitting.") var connections = 32
    @Option(help: "Connections a large month opening is split over (engine.bulk_workers).") var bulkWorkers = 2
    @Option(help: "The steps each cadre is taken through, of self, review, approve.") var steps = "self,review,approve"
    @Option(help: "Submits per second of the open-loop figure (0: skip it).") var openRate = 2_000.0
    @Option(help: "Group-commit writers of the engine (engine.writers).") var writers = 1

    func run() async throws {
        let server = try BenchServer(url: nil)
        defer { server.shutdown() }
        let conninfo = server.connectionString
        let setup = try PostgresConnection.connect(conninfo)
        try Migrator(migrations: Migration.bundled()).migrate(setup)
        let definitions = try DefinitionLoader.loadFolder(DefinitionFiles.workflowsFolder(configured: ""), vocabulary: Domain.vocabulary)
        let catalog = try WorkflowCatalog.register(definitions, connection: setup)
        let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current
        // The assessed month is September 2025 (monthly grading under QĐ 3814), seen on 2 October.
        let clock = ManualClock(FieldTime.parse("2025-10-02T09:00:00+07:00", timeZone: zone) ?? Date())
        let pool = PostgresPool(configuration: .init(connectionString: conninfo, size: 8))
        defer { pool.close() }
        let engine = WorkflowEngine(
            catalog: catalog, hooks: Domain.hooks, pool: pool, connectionString: conninfo, clock: clock,
            options: .init(lanes: writers, timeZone: zone, bulkWorkers: bulkWorkers)
        )
        defer { engine.close() }
        let domain = Domain(
            pool: pool, engine: engine, calendar: DomainCalendar { CalendarDay(clock.now(), timeZone: zone) },
            rules: try RuleSetCatalog.load(folder: DefinitionFiles.rulesFolder(configured: ""))
        )
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let accounts = AccountStore(pool: pool, lockout: .init(failures: 5, seconds: 900))
        try await accounts.bootstrapAdmin(password: "bench-password", logger: logger)

        print("seeding \(cadres) cadres in \(units) units …")
        try seedCity(setup)
        try await createHead(pool: pool)
        let month = try AssessmentPeriod.parseMonth("2025-09")
        let everything = Requester(login: "bench", role: .admin, scope: .everything)
        var figures: [String] = []

        // 1. The month opening, against a bare INSERT … SELECT of the same rows.
        try setup.execute("CREATE TABLE bench_open_ref (LIKE workflow_instances INCLUDING ALL)")
        try setup.execute("CHECKPOINT")
        var started = ContinuousClock.now
        let lastDay = "2025-09-30"
        try setup.query(
            "INSERT INTO bench_open_ref (workflow, definition_version, key, state, data) SELECT 'assessment', 2, key, 'pending', data FROM (\(AssessmentService.assessmentSource)) s",
            month.description, "cycle/2025-09/HN", lastDay, "HN"
        )
        let bare = (ContinuousClock.now - started).seconds
        try setup.execute("DROP TABLE bench_open_ref")
        try setup.execute("CHECKPOINT")
        started = ContinuousClock.now
        let opening = try await domain.assessments.openCycle(month: month, unit: "HN", by: everything, actor: .system)
        let open = (ContinuousClock.now - started).seconds
        figures.append(String(
            format: "CYCLE OPEN of %d assessments (+ history), split over %d connections: %.2f s; bare INSERT … SELECT of the same rows, same indexes: %.2f s; ratio %.2f× (targets ≤ 15 s, ≤ 1.5×)",
            opening.created, bulkWorkers, open, bare, open / bare
        ))

        // 2. The month's progress report over all of it.
        started = ContinuousClock.now
        let progress = try await domain.assessments.progress(month: month, unit: "HN", late: false, by: everything)
        let progressSeconds = (ContinuousClock.now - started).seconds
        figures.append(String(
            format: "REPORT PROGRESS of %d assessments in %d units, first after the opening: %.3f s (target ≤ 0.5 s)",
            progress.units.reduce(0) { $0 + $1.total }, progress.units.count, progressSeconds
        ))
        // The first scan of freshly written rows also sets their hint bits (it writes every
        // page once); the month's later reports do not pay that.
        var again: [Double] = []
        for _ in 0..<3 {
            started = ContinuousClock.now
            _ = try await domain.assessments.progress(month: month, unit: "HN", late: false, by: everything)
            again.append((ContinuousClock.now - started).seconds)
        }
        figures.append(String(format: "REPORT PROGRESS again, 3 times: %@ s (target ≤ 0.5 s)", again.map { String(format: "%.3f", $0) }.joined(separator: ", ")))

        // 3. SELF + REVIEW + APPROVE through the protocol, each connection on cadres of its own.
        let context = ServerContext(
            pool: pool, accounts: accounts,
            limits: ProtocolLimits(maxLineBytes: 16_384, maxArguments: 256, maxUploadBytes: 1 << 20, idleTimeoutSeconds: 0, maxConnections: 1_000, maxConnectionsPerAccount: 1_000),
            version: "bench", logger: logger,
            groups: CadreflowCommandGroups.all(domain: domain, engine: engine, scheduler: try Scheduler(schedules: [], actions: [:], engine: engine, timeZone: zone))
        )
        let (ready, continuation) = AsyncStream<Int>.makeStream()
        let listener = Task { try await ProtocolServer.run(host: "127.0.0.1", port: 0, context: context) { continuation.yield($0.port ?? 0) } }
        defer { listener.cancel() }
        var port = 0
        for await bound in ready { port = bound; break }
        let perConnection = min(cadres / max(1, connections), 6_000)
        let workloads = (0..<connections).map { connection in
            (0..<perConnection).flatMap { offset -> [String] in
                // Interleaved, so that at any moment the connections work in different units
                // (as the heads of different units would), not 8 of them in one unit's turn.
                let cadre = "C\(offset * connections + connection)"
                let all = [
                    "self": "ASSESS SELF \(cadre) 2025-09 discipline=18 duties=60", "review": "ASSESS REVIEW \(cadre) 2025-09 discipline=18 duties=60 bonus=2",
                    "approve": "ASSESS APPROVE \(cadre) 2025-09",
                ]
                return steps.split(separator: ",").compactMap { all[String($0)] }
            }
        }
        let submits = try ProtocolLoad.run(
            port: port, connections: connections, seconds: seconds, pipeline: 1, login: ["AUTH head bench-head-password"], requests: [], perConnection: workloads
        )
        let transitions = try TransitionReference(conninfo: conninfo, rows: 10_000)
        defer { transitions.drop() }
        let reference = try transitions.transactionsPerSecond(clients: connections, seconds: Int(seconds.rounded()))
        figures.append(String(
            format: "%@ through the protocol, %d connections: %@/s, p50 %.2f ms, p99 %.2f ms; pgbench UPDATE + history INSERT, 1 commit each: %@/s; ratio %.2f× (target ≥ 3×)",
            steps.uppercased().replacingOccurrences(of: ",", with: " + "), connections, FigureTable.format(submits.operationsPerSecond), submits.p50Milliseconds, submits.p99Milliseconds,
            FigureTable.format(reference), submits.operationsPerSecond / reference
        ))

        // 3b. Submits at a steady rate, open loop: latency from the moment each was due.
        if openRate > 0 {
            // The writes of the figures before (the closed loop, pgbench's) are flushed
            // first, as before the month opening: a checkpoint they left due otherwise
            // falls into this short window (a stall of ~50 ms in half the runs).
            try setup.execute("CHECKPOINT")
            let count = Int(openRate * seconds)
            let first = max(0, cadres - count)
            let requests = (first..<cadres).map { "ASSESS SELF C\($0) 2025-09 discipline=18 duties=60" }
            let open = try OpenLoopLoad.run(
                port: port, connections: connections, rate: openRate, seconds: seconds, login: ["AUTH head bench-head-password"], requests: requests
            )
            figures.append(String(
                format: "ASSESS SELF open loop at %.0f/s over %d connections: %d sent, %d answered; p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms (target p99 ≤ 20 ms)",
                openRate, connections, open.sent, open.answered, open.p50Milliseconds, open.p99Milliseconds, open.p999Milliseconds, open.maxMilliseconds
            ))
        }

        // 4. The month's grade report (every assessment read and its result computed).
        started = ContinuousClock.now
        let grades = try await domain.assessments.grades(period: month, unit: "HN", by: everything)
        let gradeSeconds = (ContinuousClock.now - started).seconds
        figures.append(String(format: "REPORT GRADES of a month of %d cadres: %.3f s (the year target, 12 months of 1,000,000 in ≤ 1 s, is not measured here)", grades.reduce(0) { $0 + $1.distribution.total }, gradeSeconds))
        for figure in figures { print(figure) }
    }

    /// The root `HN` and `units` wards under it, `cadres` cadres spread over them.
    private func seedCity(_ connection: PostgresConnection) throws {
        try connection.query("INSERT INTO units (code, name, path) VALUES ('HN', 'Hà Nội', 'HN')")
        try connection.query(
            "INSERT INTO units (code, name, parent_code, path) SELECT 'HN.U' || n, 'Phường ' || n, 'HN', 'HN/HN.U' || n FROM generate_series(1, $1::int) n",
            units
        )
        try connection.query(
            """
            INSERT INTO cadres (code, full_name, unit_code, position, level, born, sex)
            SELECT 'C' || n, 'Nguyễn Thị Cán Bộ ' || n, 'HN.U' || (1 + n % $2::int), 'chuyên viên', 'staff',
                   date '1980-01-01' + (n % 7000), CASE WHEN n % 2 = 0 THEN 'f' ELSE 'm' END
            FROM generate_series(0, $1::int - 1) n
            """,
            cadres, units
        )
        try connection.execute("ANALYZE units; ANALYZE cadres")
    }

    /// A manager marked head of HN: it may enter, review and approve every assessment.
    private func createHead(pool: PostgresPool) async throws {
        let hash = try await PasswordHasher.hash("bench-head-password")
        try await pool.withConnection { connection -> Void in
            _ = try connection.query(
                "INSERT INTO accounts (login, role, unit_code, is_head, password_salt, password_hash, password_rounds) VALUES ('head', 'manager', 'HN', true, $1, $2, $3)",
                hash.salt, hash.key, hash.rounds
            )
        }
    }
}
