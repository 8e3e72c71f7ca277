import CadreflowEngine
import CadreflowPostgres
import Foundation
import Testing

@Suite("Set-based bulk operations")
struct BulkTests {
    let organizer = Actor(name: "org", role: "organizer")
    let manager = Actor(name: "lan", role: "manager")

    @Test("Bulk creation from a query: instances, a history row each, timers each")
    func createFromQuery() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        let count = try await h.engine.bulkCreate(
            workflow: "review",
            source: .query("SELECT 'review/q/' || g, jsonb_build_object('n', g::text, 'name', $1::text) FROM generate_series(1, $2::int) g", ["Đơn vị A", 10_000]),
            actor: organizer, requestID: "open-1"
        )
        #expect(count == 10_000)
        #expect(try h.count("SELECT count(*) FROM workflow_history WHERE transition = 'create' AND request_id = 'open-1'") == 10_000)
        #expect(try h.count("SELECT count(*) FROM workflow_timers WHERE transition = 'expire'") == 10_000)
        let sample = try await h.engine.instance(.key("review/q/42"))
        #expect(sample.data == ["n": "42", "name": "Đơn vị A"])
        #expect(sample.state == "draft")
    }

    @Test("Bulk creation is all or nothing: one existing key rejects the whole set")
    func createAllOrNothing() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        try await h.engine.create(workflow: "review", key: "review/dup/5", actor: organizer)
        let error = await #expect(throws: EngineError.self) {
            try await h.engine.bulkCreate(workflow: "review", source: .rows(keys: (1...10).map { "review/dup/\($0)" }), actor: organizer)
        }
        #expect(error?.kind == .invalid)
        #expect(error?.message.contains("review/dup/5") == true)
        #expect(try h.count("SELECT count(*) FROM workflow_instances") == 1)
    }

    @Test("Skipping existing keys creates only what is missing and says how many it left alone")
    func createSkipping() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        try await h.engine.create(workflow: "review", key: "review/skip/5", actor: organizer)
        let source = BulkSource.rows(keys: (1...10).map { "review/skip/\($0)" })
        let first = try await h.engine.bulkCreateCounting(workflow: "review", source: source, actor: organizer, existingKeys: .skip)
        #expect(first == BulkCreationCount(created: 9, skipped: 1))
        let again = try await h.engine.bulkCreateCounting(workflow: "review", source: source, actor: organizer, existingKeys: .skip)
        #expect(again == BulkCreationCount(created: 0, skipped: 10))
        #expect(try h.count("SELECT count(*) FROM workflow_instances") == 10)
    }

    @Test("A bulk transition moves exactly the matching instances, with history and timers for each")
    func bulkTransition() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        try await h.engine.bulkCreate(workflow: "review", source: .rows(
            keys: (1...100).map { "review/u\($0 % 2)/\($0)" },
            data: (1...100).map { ["unit": $0 % 2 == 0 ? "HN.BD" : "HN.TX", "due": "2024-07-01"] }
        ), actor: organizer)
        let moved = try await h.engine.bulkTransition(
            workflow: "review", transition: "submit", filter: BulkFilter(dataEquals: ["unit": "HN.BD"]),
            actor: manager, fields: ["score": "75"]
        )
        #expect(moved == 50)
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE state = 'submitted' AND data->>'unit' = 'HN.BD' AND data->>'score' = '75'") == 50)
        #expect(try h.count("SELECT count(*) FROM workflow_history WHERE transition = 'submit' AND from_state = 'draft'") == 50)
        // The draft timers of the moved ones were cancelled; the submitted state's timers armed.
        #expect(try h.count("SELECT count(*) FROM workflow_timers WHERE transition = 'expire'") == 50)
        #expect(try h.count("SELECT count(*) FROM workflow_timers WHERE transition = 'remind'") == 50)
        let byPrefix = try await h.engine.bulkTransition(workflow: "review", transition: "reject", filter: BulkFilter(keyPrefix: "review/u0/"), actor: manager, reason: "hết hạn")
        #expect(byPrefix == 50)
        let counts = try await h.engine.countsByState(workflow: "review")
        #expect(counts.map { "\($0.state)=\($0.count)" } == ["draft=50", "rejected=50"])
    }

    @Test("A bulk transition checks role and required fields once and refuses the whole set")
    func bulkRefusals() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        try await h.engine.bulkCreate(workflow: "review", source: .rows(keys: ["a", "b"]), actor: organizer)
        let role = await #expect(throws: EngineError.self) {
            try await h.engine.bulkTransition(workflow: "review", transition: "expire", actor: manager)
        }
        #expect(role?.kind == .refused)
        let fields = await #expect(throws: EngineError.self) {
            try await h.engine.bulkTransition(workflow: "review", transition: "submit", actor: manager)
        }
        #expect(fields?.message.contains("score") == true)
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE version > 1") == 0)
    }
}
