import CadreflowEngine
import CadreflowPostgres
import Foundation
import Testing

@Suite("Durable timers")
struct TimerTests {
    let manager = Actor(name: "lan", role: "manager")

    @Test("A timer fires once even with two engines claiming at the same moment")
    func firesOnceWithTwoEngines() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        let keys = (0..<300).map { "review/t/\($0)" }
        try await h.engine.bulkCreate(workflow: "review", source: .rows(keys: keys), actor: manager)
        #expect(try h.count("SELECT count(*) FROM workflow_timers") == 300)
        h.clock.advance(3601)
        let other = try h.secondEngine()
        defer { other.close() }
        async let first = h.engine.fireDueTimers(limit: 50)
        async let second = other.fireDueTimers(limit: 50)
        var total = try await first.fired + second.fired
        while true {
            async let a = h.engine.fireDueTimers(limit: 50)
            async let b = other.fireDueTimers(limit: 50)
            let round = try await a.fired + b.fired
            if round == 0 { break }
            total += round
        }
        #expect(total == 300)
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE state = 'expired'") == 300)
        #expect(try h.count("SELECT count(*) FROM workflow_history WHERE transition = 'expire'") == 300)
        #expect(try h.count("SELECT count(*) FROM workflow_timers") == 0)
    }

    @Test("Timers not yet due stay; leaving the state cancels them")
    func notDueAndCancelled() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        try await h.engine.create(workflow: "review", key: "review/early", actor: manager)
        h.clock.advance(3000)
        #expect(try await h.engine.fireDueTimers() == TimerReport())
        try await h.engine.transition(TransitionCommand(instance: .key("review/early"), transition: "submit", actor: manager, fields: ["score": "60"]))
        h.clock.advance(10_000)
        #expect(try await h.engine.fireDueTimers() == TimerReport())
        #expect(try await h.engine.instance(.key("review/early")).state == "submitted")
    }

    @Test("Timers that fell due during an outage fire at the first round after start (catch-up)")
    func catchUp() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        try await h.engine.create(workflow: "review", key: "review/outage", actor: manager)
        try await h.engine.transition(TransitionCommand(instance: .key("review/outage"), transition: "submit", actor: manager, fields: ["score": "60", "due": "2024-06-05"]))
        let pending = try await h.engine.timers()
        #expect(pending.map(\.transition) == ["remind"])
        // The service is "down" for ten days, then starts again.
        h.clock.advance(10 * 86_400)
        h.engine.close()
        let restarted = try h.secondEngine()
        defer { restarted.close() }
        #expect(try await restarted.fireDueTimers() == TimerReport(fired: 1, dropped: 0))
        let history = try await restarted.history(.key("review/outage"))
        #expect(history.last?.transition == "remind")
        #expect(history.last?.actor == "system")
        // A self-loop does not re-arm a timer that is already past.
        #expect(try await restarted.timers().isEmpty)
    }

    @Test("A timer whose transition is no longer legal is dropped and recorded")
    func dropped() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        let created = try await h.engine.create(workflow: "review", key: "review/drop", actor: manager)
        // Move the instance behind the engine's back (as a domain repair would), keeping the timer.
        try h.database.connect().query("UPDATE workflow_instances SET state = 'submitted' WHERE id = $1", created.id)
        h.clock.advance(3601)
        #expect(try await h.engine.fireDueTimers() == TimerReport(fired: 0, dropped: 1))
        let log = try h.database.connect().query("SELECT outcome, detail FROM workflow_timer_log")
        #expect(try log.decode(String.self, row: 0, column: 0) == "dropped")
        #expect(try log.decode(String.self, row: 0, column: 1).contains("submitted"))
    }
}
