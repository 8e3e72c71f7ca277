import CadreflowEngine
import CadreflowPostgres
import Foundation
import Testing

@Suite("Definition versions")
struct VersioningTests {
    let manager = Actor(name: "lan", role: "manager")

    @Test("Old instances finish on their version; new ones start on the new version; a silent edit is refused")
    func versions() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        let old = try await h.engine.create(workflow: "review", key: "review/v1", actor: manager)
        #expect(old.definitionVersion == 1)

        // Version 2 adds an "escalated" state that submitted instances can reach.
        var second = EngineHarness.review
        second.version = 2
        second.states.append("escalated")
        second.final.append("escalated")
        second.transitions.append(TransitionDefinition(name: "escalate", from: ["submitted"], to: "escalated", roles: ["manager"]))
        let catalog = try WorkflowCatalog.register([second], connection: h.database.connect())
        #expect(catalog.definition("review", version: 1) == EngineHarness.review)
        #expect(catalog.current("review")?.version == 2)
        let pool = h.database.pool(size: 2)
        let engine = WorkflowEngine(catalog: catalog, hooks: EngineHarness.hooks, pool: pool, connectionString: h.database.connectionString, clock: h.clock, options: .init(timeZone: EngineHarness.hanoi))
        defer { engine.close(); pool.close() }

        let new = try await engine.create(workflow: "review", key: "review/v2", actor: manager)
        #expect(new.definitionVersion == 2)
        for key in ["review/v1", "review/v2"] {
            try await engine.transition(TransitionCommand(instance: .key(key), transition: "submit", actor: manager, fields: ["score": "70"]))
        }
        let refused = await #expect(throws: EngineError.self) {
            try await engine.transition(TransitionCommand(instance: .key("review/v1"), transition: "escalate", actor: manager))
        }
        #expect(refused?.refusal?.reason == .unknownTransition)
        #expect(try await engine.transition(TransitionCommand(instance: .key("review/v2"), transition: "escalate", actor: manager)).instance.state == "escalated")

        // Changing version 2's content without raising its number stops registration.
        var edited = second
        edited.transitions.removeLast()
        edited.states.removeLast()
        edited.final.removeLast()
        let error = #expect(throws: DefinitionError.self) { try WorkflowCatalog.register([edited], connection: h.database.connect()) }
        #expect(error?.message.contains("raise the version") == true)
    }
}

@Suite("Append-only history")
struct HistoryAppendOnlyTests {
    @Test("History rows cannot be changed, deleted or truncated")
    func appendOnly() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        try await h.engine.create(workflow: "review", key: "review/h", actor: Actor(name: "lan", role: "manager"))
        let connection = try h.database.connect()
        let update = #expect(throws: PostgresError.self) { try connection.query("UPDATE workflow_history SET actor = 'x'") }
        #expect(update?.message.contains("append-only") == true)
        #expect(throws: PostgresError.self) { try connection.query("DELETE FROM workflow_history") }
        #expect(throws: PostgresError.self) { try connection.execute("TRUNCATE workflow_history") }
        #expect(try h.count("SELECT count(*) FROM workflow_history") == 1)
    }
}
