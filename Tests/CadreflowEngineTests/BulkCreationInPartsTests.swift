@testable import CadreflowEngine
import CadreflowPostgres
import Foundation
import Logging
import Testing

@Suite("Bulk creation split over connections (two-phase commit)")
struct BulkCreationInPartsTests {
    let organizer = Actor(name: "org", role: "organizer")

    private func source(_ prefix: String, _ count: Int) -> BulkSource {
        .query("SELECT $1::text || g, jsonb_build_object('n', g::text) FROM generate_series(1, $2::int) g", [prefix, count], expectedRows: count)
    }

    private func openPrepared(_ h: EngineHarness) throws -> Int {
        try h.count("SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()")
    }

    /// After a failed creation: only the `existing` instances (and their history rows), no
    /// recorded operation, no part left prepared.
    private func expectNothingCreated(_ h: EngineHarness, existing: Int = 0) throws {
        #expect(try h.count("SELECT count(*) FROM workflow_instances") == existing)
        #expect(try h.count("SELECT count(*) FROM workflow_history") == existing)
        #expect(try h.count("SELECT count(*) FROM workflow_bulk_operations") == 0)
        #expect(try openPrepared(h) == 0)
    }

    @Test("Split over three connections: every instance once, with its history row and timer, in one recorded operation")
    func splitCreation() async throws {
        let h = try await EngineHarness(bulkWorkers: 3, parallelBulkMinimum: 1)
        defer { h.shutdown() }
        let created = try await h.engine.bulkCreate(workflow: "review", source: source("review/p/", 9_000), actor: organizer, requestID: "open-7")
        #expect(created == 9_000)
        #expect(try h.count("SELECT count(DISTINCT key) FROM workflow_instances WHERE key LIKE 'review/p/%'") == 9_000)
        #expect(try h.count("SELECT count(*) FROM workflow_history WHERE transition = 'create' AND request_id = 'open-7'") == 9_000)
        #expect(try h.count("SELECT count(*) FROM workflow_timers WHERE transition = 'expire'") == 9_000)
        // Three transactions wrote the rows: the work really was split.
        #expect(try h.count("SELECT count(DISTINCT xmin::text) FROM workflow_instances") == 3)
        #expect(try h.count("SELECT count(*) FROM workflow_bulk_operations WHERE parts = 3 AND request_id = 'open-7'") == 1)
        #expect(try openPrepared(h) == 0)
        let sample = try await h.engine.instance(.key("review/p/4242"))
        #expect(sample.data == ["n": "4242"])
        // Again, skipping existing keys: each part counts what it left alone.
        let again = try await h.engine.bulkCreateCounting(workflow: "review", source: source("review/p/", 9_000), actor: organizer, existingKeys: .skip)
        #expect(again == BulkCreationCount(created: 0, skipped: 9_000))
    }

    @Test("A failure in one part undoes every part: nothing created, nothing left prepared")
    func oneFailingPartUndoesAll() async throws {
        let h = try await EngineHarness(bulkWorkers: 2, parallelBulkMinimum: 1)
        defer { h.shutdown() }
        try await h.engine.create(workflow: "review", key: "review/f/777", actor: organizer)
        let duplicate = await #expect(throws: EngineError.self) {
            try await h.engine.bulkCreate(workflow: "review", source: source("review/f/", 5_000), actor: organizer)
        }
        #expect(duplicate?.kind == .invalid)
        #expect(duplicate?.message.contains("review/f/777") == true)

        // A source row that fails to evaluate (division by zero) in whichever part holds it.
        let broken = BulkSource.query(
            "SELECT 'review/g/' || g, jsonb_build_object('n', (100 / (g - 3333))::text) FROM generate_series(1, 5000) g", expectedRows: 5_000
        )
        await #expect(throws: EngineError.self) {
            try await h.engine.bulkCreate(workflow: "review", source: broken, actor: organizer)
        }
        try expectNothingCreated(h, existing: 1)
    }

    @Test("A part's connection killed mid-write leaves nothing created and nothing prepared")
    func killedPartLeavesNothing() async throws {
        let h = try await EngineHarness(bulkWorkers: 2, parallelBulkMinimum: 1)
        defer { h.shutdown() }
        // Row 1 makes its part sleep, so that part is still writing when its backend is killed.
        let slow = BulkSource.query(
            "SELECT 'review/k/' || g, jsonb_build_object('slept', pg_sleep(CASE WHEN g = 1 THEN 30 ELSE 0 END)::text) FROM generate_series(1, 4000) g",
            expectedRows: 4_000
        )
        let engine = h.engine
        let actor = organizer
        let creation = Task { try await engine.bulkCreate(workflow: "review", source: slow, actor: actor) }
        var killed = 0
        for _ in 0..<250 where killed == 0 {
            try await Task.sleep(for: .milliseconds(20))
            killed = try h.count(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'"
            )
        }
        #expect(killed == 1)
        await #expect(throws: EngineError.self) { try await creation.value }
        try expectNothingCreated(h)
    }

    @Test("A server with too few prepared-transaction slots gets the creation in one transaction")
    func fallsBackToOneTransaction() async throws {
        // The test cluster allows 16 prepared transactions; 17 parts cannot be prepared.
        let h = try await EngineHarness(bulkWorkers: 17, parallelBulkMinimum: 1)
        defer { h.shutdown() }
        #expect(try await h.engine.bulkCreate(workflow: "review", source: source("review/s/", 2_000), actor: organizer) == 2_000)
        #expect(try h.count("SELECT count(DISTINCT xmin::text) FROM workflow_instances") == 1)
        #expect(try h.count("SELECT count(*) FROM workflow_bulk_operations") == 0)
    }

    @Test("Parts a dead service left prepared: committed when the operation was decided, rolled back when not, untouched while the coordinator lives")
    func inDoubtPartsAreResolved() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        let decided = "0000000a-0000-0000-0000-000000000001"
        let undecided = "0000000b-0000-0000-0000-000000000002"
        let live = "0000000c-0000-0000-0000-000000000003"
        func prepare(_ operation: String, part: Int, key: String, record: Bool) throws {
            let connection = try h.database.connect()
            try connection.execute("BEGIN")
            try connection.query(
                "INSERT INTO workflow_instances (workflow, definition_version, key, state) VALUES ('review', 1, $1, 'draft')", key
            )
            if record {
                try connection.query(
                    "INSERT INTO workflow_bulk_operations (id, workflow, parts, actor, at) VALUES ($1, 'review', 2, 'org', now())", operation
                )
            }
            try connection.execute("PREPARE TRANSACTION '\(BulkCreationInParts.gidPrefix)\(operation):\(part)'")
        }
        // Decided: its first part (with the operation's row) committed, the second is in doubt.
        try prepare(decided, part: 0, key: "review/d/1", record: true)
        try h.database.connect().execute("COMMIT PREPARED '\(BulkCreationInParts.gidPrefix)\(decided):0'")
        try prepare(decided, part: 1, key: "review/d/2", record: false)
        // Undecided: both parts prepared, neither committed.
        try prepare(undecided, part: 0, key: "review/u/1", record: true)
        try prepare(undecided, part: 1, key: "review/u/2", record: false)
        // Live: its coordinator still holds the operation's lock.
        var coordinator: PostgresConnection? = try h.database.connect()
        try coordinator?.query("SELECT pg_advisory_lock($1, hashtext($2))", BulkCreationInParts.lockClass, live)
        try prepare(live, part: 1, key: "review/l/1", record: false)
        #expect(try openPrepared(h) == 4)

        // The engine runner's round (as at start-up) resolves what it may.
        await EngineRunner(engine: h.engine, scheduler: nil, interval: .seconds(1), logger: Logger(label: "test")).round()
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE key LIKE 'review/d/%'") == 2)
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE key LIKE 'review/u/%'") == 0)
        #expect(try openPrepared(h) == 1)

        // Once the coordinator is gone (its session ends), its undecided part is rolled back.
        coordinator = nil
        var outcome = try await h.engine.resolveInDoubtBulkParts()
        for _ in 0..<50 where outcome.rolledBack == 0 {
            try await Task.sleep(for: .milliseconds(20))  // the server notices the closed session
            outcome = try await h.engine.resolveInDoubtBulkParts()
        }
        #expect(outcome.committed == 0 && outcome.rolledBack == 1)
        #expect(try openPrepared(h) == 0)
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE key LIKE 'review/l/%'") == 0)
    }
}
