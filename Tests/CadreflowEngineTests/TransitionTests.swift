import CadreflowEngine
import CadreflowPostgres
import Foundation
import Testing

@Suite("Durable transitions")
struct TransitionTests {
    let manager = Actor(name: "lan", role: "manager")

    @Test("Create and move: state, version, data and history are stored together")
    func mainPath() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        let created = try await h.engine.create(workflow: "review", key: "review/1", data: ["owner": "Phạm \"Thu\" Hà\\\n\t\u{1}"], actor: manager)
        #expect(created.state == "draft")
        #expect(created.version == 1)
        let submitted = try await h.engine.transition(TransitionCommand(instance: .key("review/1"), transition: "submit", actor: manager, fields: ["score": "80"], requestID: "r1"))
        #expect(submitted.from == "draft")
        #expect(submitted.instance.state == "submitted")
        #expect(submitted.instance.version == 2)
        let approved = try await h.engine.transition(TransitionCommand(instance: .id(created.id), transition: "approve", actor: manager, fields: ["note": "tốt"]))
        #expect(approved.instance.state == "approved")
        let stored = try await h.engine.instance(.key("review/1"))
        #expect(stored == approved.instance)
        #expect(stored.data == ["owner": "Phạm \"Thu\" Hà\\\n\t\u{1}", "score": "80", "note": "tốt"])
        let history = try await h.engine.history(.key("review/1"))
        #expect(history.map(\.transition) == ["create", "submit", "approve"])
        #expect(history.map(\.to) == ["draft", "submitted", "approved"])
        #expect(history[1].requestID == "r1")
        #expect(history[1].actor == "lan")
        // The effect hook wrote in the same transaction.
        #expect(try h.count("SELECT count(*) FROM review_notes WHERE note = 'tốt'") == 1)
        // Reaching a final state leaves no timers.
        #expect(try h.count("SELECT count(*) FROM workflow_timers") == 0)
    }

    @Test("State a lane remembers but another writer changed is caught by the version check and decided again on the locked row")
    func staleRememberedState() async throws {
        let h = try await EngineHarness(lanes: 1)
        defer { h.shutdown() }
        // Moved elsewhere to a state where the next transition is illegal: refused, nothing written.
        try await h.engine.create(workflow: "review", key: "review/s", actor: manager)
        _ = try await h.engine.transition(TransitionCommand(instance: .key("review/s"), transition: "submit", actor: manager, fields: ["score": "70"]))
        #expect(try await h.engine.bulkTransition(workflow: "review", transition: "reject", filter: BulkFilter(keyPrefix: "review/s"), actor: manager, reason: "late") == 1)
        let refused = await #expect(throws: EngineError.self) {
            try await h.engine.transition(TransitionCommand(instance: .key("review/s"), transition: "remind", actor: .system))
        }
        #expect(refused?.refusal?.currentState == "rejected")
        #expect(try await h.engine.history(.key("review/s")).map(\.transition) == ["create", "submit", "reject"])

        // Moved elsewhere within the same state: the transition applies on top, no version lost.
        try await h.engine.create(workflow: "review", key: "review/t", actor: manager)
        _ = try await h.engine.transition(TransitionCommand(instance: .key("review/t"), transition: "submit", actor: manager, fields: ["score": "70"]))
        #expect(try await h.engine.bulkTransition(workflow: "review", transition: "remind", filter: BulkFilter(keyPrefix: "review/t"), actor: .system) == 1)
        let reminded = try await h.engine.transition(TransitionCommand(instance: .key("review/t"), transition: "remind", actor: .system))
        #expect(reminded.instance.version == 4)
        let history = try await h.engine.history(.key("review/t"))
        #expect(history.map(\.seq) == [1, 2, 3, 4])
        #expect(history.map(\.transition) == ["create", "submit", "remind", "remind"])
        #expect(try await h.engine.instance(.key("review/t")).version == 4)

        // Moved by a writer that leaves no history row (so the history key cannot notice):
        // the UPDATE's own version check (workflow_expect_rows) must catch it.
        try await h.engine.create(workflow: "review", key: "review/u", actor: manager)
        _ = try await h.engine.transition(TransitionCommand(instance: .key("review/u"), transition: "submit", actor: manager, fields: ["score": "70"]))
        try h.database.connect().execute("UPDATE workflow_instances SET version = version + 1 WHERE key = 'review/u'")
        let bumped = try await h.engine.transition(TransitionCommand(instance: .key("review/u"), transition: "remind", actor: .system))
        #expect(bumped.instance.version == 4)
        #expect(try await h.engine.instance(.key("review/u")).version == 4)
        #expect(try await h.engine.history(.key("review/u")).map(\.seq) == [1, 2, 4])
    }

    @Test("Two engines on one database moving the same instances concurrently: every acknowledged transition is in the history, none lost")
    func twoEnginesNoLostUpdate() async throws {
        let h = try await EngineHarness(lanes: 2)
        defer { h.shutdown() }
        let other = try h.secondEngine()
        defer { other.close() }
        let keys = (0..<4).map { "review/race/\($0)" }
        for key in keys {
            try await h.engine.create(workflow: "review", key: key, actor: manager)
            _ = try await h.engine.transition(TransitionCommand(instance: .key(key), transition: "submit", actor: manager, fields: ["score": "70"]))
        }
        // 16 tasks per engine, each reminding the four instances over and over: both
        // engines' lanes remember states the other engine keeps making stale.
        let acknowledged = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<32 {
                let engine = task % 2 == 0 ? h.engine : other
                group.addTask {
                    var done = 0
                    for round in 0..<25 {
                        let key = keys[(task + round) % keys.count]
                        _ = try await engine.transition(TransitionCommand(instance: .key(key), transition: "remind", actor: .system))
                        done += 1
                    }
                    return done
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(acknowledged == 800)
        var moved = 0
        for key in keys {
            let history = try await h.engine.history(.key(key))
            #expect(history.map(\.seq) == Array(1...Int64(history.count)))
            #expect(try await h.engine.instance(.key(key)).version == Int64(history.count))
            moved += history.count - 2
        }
        #expect(moved == acknowledged)
    }

    @Test("An illegal transition is refused with the current state and legal transitions, and changes nothing")
    func illegal() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        try await h.engine.create(workflow: "review", key: "review/2", actor: manager)
        let error = await #expect(throws: EngineError.self) {
            try await h.engine.transition(TransitionCommand(instance: .key("review/2"), transition: "approve", actor: manager))
        }
        #expect(error?.kind == .refused)
        #expect(error?.refusal?.currentState == "draft")
        #expect(error?.refusal?.legal == ["submit"])
        #expect(try await h.engine.instance(.key("review/2")).version == 1)
        let guardError = await #expect(throws: EngineError.self) {
            try await h.engine.transition(TransitionCommand(instance: .key("review/2"), transition: "submit", actor: manager, fields: ["score": "10"]))
            try await h.engine.transition(TransitionCommand(instance: .key("review/2"), transition: "approve", actor: manager))
        }
        #expect(guardError?.message.contains("score below 50") == true)
        let missing = await #expect(throws: EngineError.self) {
            try await h.engine.transition(TransitionCommand(instance: .key("nobody"), transition: "submit", actor: manager))
        }
        #expect(missing?.kind == .notFound)
    }

    @Test("A repeated idempotency key returns the first result and writes nothing")
    func idempotency() async throws {
        let h = try await EngineHarness()
        defer { h.shutdown() }
        try await h.engine.create(workflow: "review", key: "review/3", actor: manager)
        let command = TransitionCommand(instance: .key("review/3"), transition: "submit", actor: manager, fields: ["score": "70"], idempotencyKey: "idem-1")
        let first = try await h.engine.transition(command)
        let again = try await h.engine.transition(command)
        #expect(first.replayed == false)
        #expect(again.replayed == true)
        #expect(again.instance == first.instance)
        #expect(try h.count("SELECT count(*) FROM workflow_history WHERE transition = 'submit'") == 1)
        #expect(try await h.engine.instance(.key("review/3")).version == 2)
    }

    @Test("Fifty tasks race on one instance at one version: exactly one wins, no update is lost")
    func racing() async throws {
        let h = try await EngineHarness(lanes: 4)
        defer { h.shutdown() }
        let created = try await h.engine.create(workflow: "review", key: "review/race", actor: manager)
        let engine = h.engine
        let actor = manager
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask {
                    do {
                        try await engine.transition(TransitionCommand(
                            instance: .id(created.id), transition: "submit", actor: actor,
                            fields: ["score": "\(50 + index)"], expectedVersion: 1
                        ))
                        return true
                    } catch let error as EngineError where error.kind == .refused {
                        return false
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
        #expect(try h.count("SELECT count(*) FROM workflow_history WHERE transition = 'submit'") == 1)
        #expect(try await h.engine.instance(.id(created.id)).version == 2)
    }

    @Test("Many transitions on one instance in one batch: each gets its history row, the row ends at the last")
    func sameInstanceInOneBatch() async throws {
        let h = try await EngineHarness(lanes: 1)
        defer { h.shutdown() }
        try await h.engine.create(workflow: "review", key: "review/loop", actor: manager)
        try await h.engine.transition(TransitionCommand(instance: .key("review/loop"), transition: "submit", actor: manager, fields: ["score": "60"]))
        let engine = h.engine
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<30 {
                group.addTask {
                    try await engine.transition(TransitionCommand(instance: .key("review/loop"), transition: "remind", actor: .system, fields: ["n": "\(index)"]))
                }
            }
            try await group.waitForAll()
        }
        let after = try await h.engine.instance(.key("review/loop"))
        #expect(after.version == 32)
        #expect(after.state == "submitted")
        let history = try await h.engine.history(.key("review/loop"))
        #expect(history.map(\.seq) == Array(1...32).map(Int64.init))
        #expect(history.filter { $0.transition == "remind" }.count == 30)
        let statistics = engine.groupCommitStatistics
        #expect(statistics.transitions >= 31)
        #expect(statistics.transactions < statistics.transitions, "some transitions shared a transaction")
    }

    @Test("Concurrent transitions on many instances are committed in shared batches, each durable")
    func groupCommit() async throws {
        let h = try await EngineHarness(lanes: 2)
        defer { h.shutdown() }
        let keys = (0..<400).map { "review/gc/\($0)" }
        #expect(try await h.engine.bulkCreate(workflow: "review", source: .rows(keys: keys), actor: manager) == 400)
        let engine = h.engine
        let actor = manager
        try await withThrowingTaskGroup(of: Void.self) { group in
            for key in keys {
                group.addTask {
                    try await engine.transition(TransitionCommand(instance: .key(key), transition: "submit", actor: actor, fields: ["score": "90"]))
                }
            }
            try await group.waitForAll()
        }
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE state = 'submitted'") == 400)
        #expect(try h.count("SELECT count(*) FROM workflow_history WHERE transition = 'submit'") == 400)
    }

    @Test("In a batch, a transition whose effect fails is rolled back alone; its batch-mates commit")
    func badBatchMate() async throws {
        let h = try await EngineHarness(lanes: 1)
        defer { h.shutdown() }
        let keys = (0..<60).map { "review/bm/\($0)" }
        try await h.engine.bulkCreate(workflow: "review", source: .rows(keys: keys), actor: manager)
        let engine = h.engine
        let actor = manager
        for key in keys {
            try await engine.transition(TransitionCommand(instance: .key(key), transition: "submit", actor: actor, fields: ["score": "90"]))
        }
        let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
            for (index, key) in keys.enumerated() {
                group.addTask {
                    let note = index == 17 ? "boom" : "ok"
                    let done = (try? await engine.transition(TransitionCommand(instance: .key(key), transition: "approve", actor: actor, fields: ["note": note]))) != nil
                    return (key, done)
                }
            }
            return await group.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.values.filter { !$0 }.count == 1)
        #expect(outcomes["review/bm/17"] == false)
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE state = 'approved'") == 59)
        #expect(try h.count("SELECT count(*) FROM review_notes") == 59)
        #expect(try await h.engine.instance(.key("review/bm/17")).state == "submitted")
    }

    @Test("A connection killed in the middle of a transition leaves no partial transition behind")
    func killedMidTransaction() async throws {
        let killer = WorkflowHooks(guards: ["score_high_enough": { _ in }], effects: ["record_note": { context in
            try context.connection.query("INSERT INTO review_notes (instance_id, note) VALUES ($1, 'half')", context.instance?.id ?? 0)
            if context.fields["note"] == "die" {
                _ = try? context.connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
            }
        }])
        let h = try await EngineHarness(hooks: killer, lanes: 1)
        defer { h.shutdown() }
        try await h.engine.create(workflow: "review", key: "review/kill", actor: manager)
        try await h.engine.transition(TransitionCommand(instance: .key("review/kill"), transition: "submit", actor: manager, fields: ["score": "90"]))
        let error = await #expect(throws: EngineError.self) {
            try await h.engine.transition(TransitionCommand(instance: .key("review/kill"), transition: "approve", actor: manager, fields: ["note": "die"]))
        }
        #expect(error?.kind == .unavailable)
        let after = try await h.engine.instance(.key("review/kill"))
        #expect(after.state == "submitted")
        #expect(after.version == 2)
        #expect(try h.count("SELECT count(*) FROM review_notes") == 0)
        #expect(try h.count("SELECT count(*) FROM workflow_history WHERE transition = 'approve'") == 0)
        // The lane reconnects: the next transition works.
        let approved = try await h.engine.transition(TransitionCommand(instance: .key("review/kill"), transition: "approve", actor: manager, fields: ["note": "fine"]))
        #expect(approved.instance.state == "approved")
    }
}
