import CadreflowEngine
import CadreflowPostgres
import Foundation
import Synchronization
import Testing

/// A parent whose transitions' hooks create and move children through the engine handle.
private enum Family {
    static let parent = WorkflowDefinition(
        name: "parent", version: 1, states: ["new", "spawned", "closed"], initial: "new", final: ["closed"],
        transitions: [
            TransitionDefinition(name: "spawn", from: ["new"], to: "spawned", roles: ["organizer"], effectHook: "spawn_children"),
            TransitionDefinition(name: "close", from: ["spawned"], to: "closed", roles: ["organizer"], effectHook: "close_children"),
        ],
        timers: []
    )
    static let child = WorkflowDefinition(
        name: "child", version: 1, states: ["waiting", "done"], initial: "waiting", final: ["done"],
        transitions: [
            TransitionDefinition(name: "finish", from: ["waiting"], to: "done", roles: ["system"], guardHook: "count_ok", effectHook: "note_bulk"),
            TransitionDefinition(name: "nudge", from: ["waiting"], to: "waiting", roles: ["system"]),
        ],
        timers: [TimerDefinition(state: "waiting", afterSeconds: 86_400, fire: "nudge")]
    )

    /// What the child guard and effect saw.
    static let seen = Mutex<[String]>([])

    static let hooks = WorkflowHooks(
        guards: ["count_ok": { context in
            if case .bulk(let count, let states) = context.subject {
                seen.withLock { $0.append("guard bulk \(count) from \(states.joined(separator: ","))") }
                if count > 100 { throw GuardRefusal("too many") }
            }
        }],
        effects: [
            "spawn_children": { context in
                guard case .instance(let parent) = context.subject else { return }
                let made = try context.engine.createMany(
                    workflow: "child", source: .rows(keys: (1...3).map { "\(parent.key)/c\($0)" }), actor: context.actor, requestID: "spawn"
                )
                let extra = try context.engine.create(workflow: "child", key: "\(parent.key)/extra", actor: context.actor)
                try context.engine.cancelTimers(instance: extra.id)
                try context.engine.armTimer(instance: extra.id, transition: "nudge", dueAt: context.now.addingTimeInterval(60))
                seen.withLock { $0.append("spawned \(made + 1)") }
            },
            "close_children": { context in
                guard case .instance(let parent) = context.subject else { return }
                let moved = try context.engine.moveMany(
                    workflow: "child", transition: "finish", filter: BulkFilter(keyPrefix: parent.key + "/"), actor: .system, reason: "parent closed"
                )
                seen.withLock { $0.append("closed \(moved)") }
            },
            "note_bulk": { context in
                if case .bulk(let count, _) = context.subject { seen.withLock { $0.append("effect bulk \(count)") } }
            },
        ]
    )
}

@Suite("Engine seams: hooks and schedule actions work through the engine on their transaction", .serialized)
struct EngineSeamTests {
    let organizer = Actor(name: "org", role: "organizer")

    @Test("A hook creates one and many instances, arms and cancels timers, and moves many: history and timers as usual, all in the transition")
    func hooksUseTheEngine() async throws {
        Family.seen.withLock { $0 = [] }
        let h = try await EngineHarness(definitions: [Family.parent, Family.child], hooks: Family.hooks)
        defer { h.shutdown() }
        try await h.engine.create(workflow: "parent", key: "p_1", actor: organizer)
        try await h.engine.transition(TransitionCommand(instance: .key("p_1"), transition: "spawn", actor: organizer))
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'child'") == 4)
        #expect(try h.count("SELECT count(*) FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id WHERE i.workflow = 'child' AND h.transition = 'create'") == 4)
        // Three children armed their state's timer; the extra one's was replaced by a timer a minute out.
        #expect(try h.count("SELECT count(*) FROM workflow_timers t JOIN workflow_instances i ON i.id = t.instance_id WHERE i.workflow = 'child'") == 4)
        #expect(try h.count("SELECT count(*) FROM workflow_timers t JOIN workflow_instances i ON i.id = t.instance_id WHERE i.key = 'p_1/extra' AND t.due_at < i.created_at + interval '1 hour'") == 1)
        try await h.engine.transition(TransitionCommand(instance: .key("p_1"), transition: "close", actor: organizer))
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'child' AND state = 'done'") == 4)
        #expect(try h.count("SELECT count(*) FROM workflow_history WHERE transition = 'finish' AND reason = 'parent closed'") == 4)
        #expect(try h.count("SELECT count(*) FROM workflow_timers") == 0)
        #expect(Family.seen.withLock { $0 } == ["spawned 4", "guard bulk 4 from waiting", "effect bulk 4", "closed 4"])
    }

    @Test("A failing hook undoes what it did through the engine")
    func hookFailureUndoes() async throws {
        let failing = Family.hooks.merging(WorkflowHooks(effects: ["close_children": { context in
            _ = try context.engine.create(workflow: "child", key: "orphan", actor: .system)
            throw GuardRefusal("no")
        }]))
        let h = try await EngineHarness(definitions: [Family.parent, Family.child], hooks: failing)
        defer { h.shutdown() }
        try await h.engine.create(workflow: "parent", key: "p_2", actor: organizer)
        try await h.engine.transition(TransitionCommand(instance: .key("p_2"), transition: "spawn", actor: organizer))
        await #expect(throws: (any Error).self) { try await h.engine.transition(TransitionCommand(instance: .key("p_2"), transition: "close", actor: organizer)) }
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE key = 'orphan'") == 0)
        #expect(try await h.engine.instance(.key("p_2")).state == "spawned")
    }

    @Test("A month opening runs after its period is recorded, on the split two-phase path, idempotent by key; a run cut short is resumed once its lease runs out")
    func openingOutsideTheRecord() async throws {
        let july = Date(timeIntervalSince1970: 1_719_767_100)
        let h = try await EngineHarness(definitions: [Family.child], hooks: Family.hooks, start: july.addingTimeInterval(-3600), bulkWorkers: 2, parallelBulkMinimum: 10)
        defer { h.shutdown() }
        let engine = h.engine
        let fail = Mutex(true)
        let opening: ScheduleAction = .afterRecording { occurrence in
            let source = BulkSource.query(
                "SELECT $1::text || '/' || g, '{}'::jsonb FROM generate_series(1, 500) g", [occurrence.period], expectedRows: 500
            )
            let created = try await engine.bulkCreate(workflow: "child", source: source, actor: .system, requestID: "open-\(occurrence.period)", existingKeys: .skip)
            if fail.withLock({ $0 }) { throw GuardRefusal("the service died halfway") }
            return "created \(created)"
        }
        let schedule = ScheduleDefinition(name: "open-month", action: "open", frequency: .monthly(day: 1), hour: 0, minute: 5, missed: .fireOnce)
        let scheduler = try Scheduler(schedules: [schedule], actions: ["open": opening], engine: engine, clock: h.clock, timeZone: EngineHarness.hanoi, lease: 600)
        #expect(try await scheduler.tick().isEmpty)
        h.clock.set(july.addingTimeInterval(30))
        await #expect(throws: (any Error).self) { try await scheduler.tick() }
        #expect(try h.count("SELECT count(*) FROM schedule_runs WHERE status = 'running'") == 1)
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'child'") == 500)
        #expect(try h.count("SELECT count(*) FROM workflow_bulk_operations WHERE request_id = 'open-2024-07'") == 1)
        // A failed run is retried by the next round; what it created already is kept, not duplicated.
        fail.withLock { $0 = false }
        h.clock.set(july.addingTimeInterval(60))
        let resumed = try await scheduler.tick()
        #expect(resumed.map(\.trigger) == ["resumed"])
        #expect(resumed.first?.detail == "created 0")
        #expect(try h.count("SELECT count(*) FROM schedule_runs WHERE status = 'ran'") == 1)
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'child'") == 500)
        #expect(try h.count("SELECT count(*) FROM workflow_history WHERE transition = 'create'") == 500)
        #expect(try await scheduler.tick().isEmpty)
        // A period another instance is running (its lease in the future) is left alone until the lease runs out (it died).
        try h.database.connect().query(
            "INSERT INTO schedule_runs (schedule, period, status, due_at, trigger, lease_until) VALUES ('open-month', '2024-06', 'running', $1, 'schedule', $2)",
            july.addingTimeInterval(-30 * 86_400), july.addingTimeInterval(600)
        )
        #expect(try await scheduler.tick().isEmpty)
        h.clock.set(july.addingTimeInterval(700))
        #expect(try await scheduler.tick().map(\.period) == ["2024-06"])
        #expect(try h.count("SELECT count(*) FROM workflow_instances WHERE key LIKE '2024-06/%'") == 500)
    }

    @Test("The vocabulary comes from the composition root: a role outside it is refused by name")
    func vocabulary() throws {
        let narrow = DefinitionVocabulary(roles: ["organizer"], hooks: Family.hooks.names)
        #expect(narrow.roles == ["organizer", "system"])
        let error = #expect(throws: DefinitionError.self) { try DefinitionValidator.validate(Family.parent, file: "parent.json", vocabulary: DefinitionVocabulary(roles: ["admin"], hooks: Family.hooks.names)) }
        #expect(error?.message.contains("unknown role organizer (known: admin, system)") == true)
        try DefinitionValidator.validate(Family.parent, file: "parent.json", vocabulary: narrow)
    }
}
