import CadreflowDefinitions
import CadreflowEngine
import CadreflowPostgres
import Foundation
import Testing

/// The shipped definitions in config/workflows (as built into the binary), driven through
/// their main paths and refusals with stub hooks (the domain hooks arrive with the domain issues).
@Suite("The real workflows in config/workflows")
struct RealWorkflowTests {
    /// The built-in copy the service loads by default.
    static var folder: String {
        get throws { try DefinitionFiles.workflowsFolder(configured: "") }
    }

    static let guardNames = [
        "assessment.scores_valid", "assessment.quota", "exam.enough_registered_candidates", "exam.enough_eligible_candidates",
        "exam.all_defense_scores_in", "exam.winner_chosen", "exam.nobody_passed", "assignment.rules_hold", "assignment.extension_allowed",
    ]
    static let effectNames = [
        "cycle.open_assessments", "cycle.mark_overdue", "cycle.escalate_unreviewed", "cycle.list_unapproved", "cycle.freeze_assessments",
        "assessment.record_self_scores", "assessment.record_review", "exam.assign_paper_codes",
        "exam.rank_candidates", "exam.appoint_winner", "assignment.move_cadre", "assignment.return_or_keep",
    ]

    /// Stub hooks: guards refuse when the instance data holds `refuse` = the hook's name;
    /// effects record their name in a table, so tests can see they ran in the transaction.
    static let stubs = WorkflowHooks(
        guards: Dictionary(uniqueKeysWithValues: guardNames.map { name in
            (name, { @Sendable (context: HookContext) throws in
                if context.instance?.data["refuse"] == name || context.fields["refuse"] == name { throw GuardRefusal("\(name) says no") }
            })
        }),
        effects: Dictionary(uniqueKeysWithValues: effectNames.map { name in
            (name, { @Sendable (context: HookContext) throws in
                try context.connection.query("INSERT INTO review_notes (instance_id, note) VALUES ($1, $2)", context.instance?.id ?? 0, name)
            })
        })
    )

    let organizer = Actor(name: "org", role: "organizer")
    let manager = Actor(name: "lan", role: "manager")
    let cadre = Actor(name: "CB001", role: "cadre")

    private func harness(start: Date) async throws -> EngineHarness {
        let definitions = try DefinitionLoader.loadFolder(Self.folder, vocabulary: EngineHarness.vocabulary(Self.stubs.names))
        return try await EngineHarness(definitions: definitions, hooks: Self.stubs, start: start)
    }

    private func move(_ h: EngineHarness, _ key: String, _ name: String, _ actor: Actor, _ fields: [String: String] = [:], reason: String? = nil) async throws -> String {
        try await h.engine.transition(TransitionCommand(instance: .key(key), transition: name, actor: actor, fields: fields, reason: reason)).instance.state
    }

    private func refusal(_ h: EngineHarness, _ key: String, _ name: String, _ actor: Actor, _ fields: [String: String] = [:]) async -> EngineError? {
        await #expect(throws: EngineError.self) {
            try await h.engine.transition(TransitionCommand(instance: .key(key), transition: name, actor: actor, fields: fields))
        }
    }

    private func effects(_ h: EngineHarness) throws -> [String] {
        try h.database.connect().query("SELECT note FROM review_notes ORDER BY ctid").rows.map { try $0.decode(0, as: String.self) }
    }

    private func date(_ text: String) -> Date {
        FieldTime.parse(text, timeZone: EngineHarness.hanoi) ?? Date(timeIntervalSince1970: 0)
    }

    @Test("All four load; a definition naming a hook nobody provides is refused")
    func load() throws {
        let definitions = try DefinitionLoader.loadFolder(Self.folder, vocabulary: EngineHarness.vocabulary(Self.stubs.names))
        #expect(definitions.map(\.name).sorted() == ["assessment", "assignment", "exam", "monthly_cycle"])
        var fewer = Self.stubs.names
        fewer.effects.remove("exam.appoint_winner")
        let error = #expect(throws: DefinitionError.self) { try DefinitionLoader.loadFolder(Self.folder, vocabulary: EngineHarness.vocabulary(fewer)) }
        #expect(error?.file.hasSuffix("exam.json") == true)
        #expect(error?.message.contains("exam.appoint_winner") == true)
    }

    @Test("Monthly cycle: created open, deadlines fire in order on days 4, 6 and 8 of the next month, then it closes")
    func monthlyCycle() async throws {
        let h = try await harness(start: date("2024-06-01T00:05:00+07:00"))
        defer { h.shutdown() }
        try await h.engine.create(workflow: "monthly_cycle", key: "cycle/HN/2024-05", data: [
            "month": "2024-05", "unit": "HN", "self_deadline": "2024-06-03", "review_deadline": "2024-06-05",
            "approval_deadline": "2024-06-07", "close_on": "2024-06-08",
        ], actor: .system)
        #expect(try await h.engine.instance(.key("cycle/HN/2024-05")).state == "open")
        #expect(await refusal(h, "cycle/HN/2024-05", "self_deadline_passed", organizer)?.refusal?.reason == .roleNotAllowed)
        #expect(try await h.engine.timers().map(\.transition) == ["self_deadline_passed", "review_deadline_passed", "approval_deadline_passed", "close"])
        h.clock.set(date("2024-06-04T00:00:01+07:00"))
        #expect(try await h.engine.fireDueTimers().fired == 1)
        h.clock.set(date("2024-06-09T00:00:00+07:00"))
        #expect(try await h.engine.fireDueTimers().fired == 3)
        #expect(try await h.engine.instance(.key("cycle/HN/2024-05")).state == "closed")
        #expect(try effects(h) == ["cycle.mark_overdue"])
    }

    @Test("Assessment: self-assessed by the cadre, returned, reviewed, approved, reopened by an organizer; refusals name the rule")
    func assessment() async throws {
        let h = try await harness(start: date("2024-06-02T09:00:00+07:00"))
        defer { h.shutdown() }
        try await h.engine.create(workflow: "assessment", key: "assessment/CB001/2024-05", data: ["cadre": "CB001", "month": "2024-05"], actor: .system)
        let key = "assessment/CB001/2024-05"
        let selfScores = ["self_discipline": "18", "self_duties": "65", "self_bonus": "5", "self_total": "88", "self_grade": "B"]
        #expect(await refusal(h, key, "self_assess", cadre, ["self_total": "88"])?.refusal?.reason == .missingFields(["self_grade"]))
        #expect(await refusal(h, key, "approve", manager)?.refusal?.reason == .notFromCurrentState)
        #expect(await refusal(h, key, "mark_overdue", manager)?.refusal?.reason == .roleNotAllowed)
        #expect(try await move(h, key, "self_assess", cadre, selfScores) == "self_assessed")
        #expect(try await move(h, key, "return", manager, reason: "thiếu minh chứng") == "returned")
        #expect(try await move(h, key, "self_assess", cadre, selfScores) == "self_assessed")
        #expect(try await move(h, key, "review", manager, ["review_total": "91", "review_grade": "A"]) == "reviewed")
        #expect(try await move(h, key, "approve", manager) == "approved")
        #expect(await refusal(h, key, "reopen", manager)?.refusal?.reason == .roleNotAllowed)
        #expect(try await move(h, key, "reopen", organizer, reason: "sai điểm") == "reviewed")
        #expect(try await move(h, key, "approve", manager) == "approved")
        let history = try await h.engine.history(.key(key)).map(\.transition)
        #expect(history == ["create", "self_assess", "return", "self_assess", "review", "approve", "reopen", "approve"])

        // Overdue and exemption: an unreviewed assessment goes overdue in bulk; the manager may still review it.
        try await h.engine.bulkCreate(workflow: "assessment", source: .rows(keys: ["assessment/CB002/2024-05", "assessment/CB003/2024-05"]), actor: .system)
        #expect(try await h.engine.bulkTransition(workflow: "assessment", transition: "mark_overdue", filter: BulkFilter(keyPrefix: "assessment/CB00"), actor: .system) == 2)
        #expect(try await move(h, "assessment/CB002/2024-05", "review", manager, ["review_total": "65", "review_grade": "C"]) == "reviewed")
        #expect(await refusal(h, "assessment/CB003/2024-05", "exempt", manager)?.refusal?.reason == .missingFields(["reason"]))
        #expect(try await move(h, "assessment/CB003/2024-05", "exempt", manager, reason: "nghỉ thai sản") == "exempt")
    }

    @Test("Exam: announced, registration closed by its deadline timer, written, defense, published, appointed; cancel only before publication")
    func exam() async throws {
        let h = try await harness(start: date("2024-03-01T08:00:00+07:00"))
        defer { h.shutdown() }
        let key = "exam/PGD-SoNoiVu"
        try await h.engine.create(workflow: "exam", key: key, data: ["post": "Phó Giám đốc Sở Nội vụ", "unit": "SNV"], actor: organizer)
        #expect(await refusal(h, key, "announce", organizer)?.refusal?.reason == .missingFields(["registration_deadline"]))
        #expect(try await move(h, key, "announce", organizer, ["registration_deadline": "2024-03-15"]) == "registration")
        h.clock.set(date("2024-03-16T00:00:00+07:00"))
        #expect(try await h.engine.fireDueTimers().fired == 1)
        #expect(try await h.engine.instance(.key(key)).state == "closed")
        #expect(await refusal(h, key, "start", organizer, ["refuse": "exam.enough_eligible_candidates"])?.message.contains("says no") == true)
        #expect(try await move(h, key, "start", organizer) == "written")
        #expect(await refusal(h, key, "begin_defense", organizer)?.refusal?.reason == .roleNotAllowed)
        #expect(try await move(h, key, "begin_defense", .system) == "defense")
        #expect(try await move(h, key, "publish", organizer) == "published")
        #expect(await refusal(h, key, "cancel", organizer, ["reason": "late"])?.refusal?.reason == .notFromCurrentState)
        #expect(await refusal(h, key, "appoint", organizer)?.refusal?.reason == .missingFields(["cadre", "decision"]))
        #expect(try await move(h, key, "appoint", organizer, ["cadre": "CB001", "decision": "QĐ 12/QĐ-UBND"]) == "appointed")
        #expect(try effects(h) == ["exam.assign_paper_codes", "exam.rank_candidates", "exam.appoint_winner"])

        try await h.engine.create(workflow: "exam", key: "exam/other", actor: organizer)
        #expect(await refusal(h, "exam/other", "cancel", organizer)?.refusal?.reason == .missingFields(["reason"]))
        #expect(try await move(h, "exam/other", "cancel", organizer, reason: "không đủ ứng viên") == "cancelled")
    }

    @Test("Assignment: takes effect on its start date, evaluation falls due 30 days before the end, extension re-arms it")
    func assignment() async throws {
        let h = try await harness(start: date("2024-01-10T09:00:00+07:00"))
        defer { h.shutdown() }
        let key = "assignment/1"
        try await h.engine.create(workflow: "assignment", key: key, data: [
            "cadre": "CB001", "kind": "secondment", "to_unit": "HN.BV", "start_date": "2024-02-01", "end_date": "2025-02-01", "months": "12",
        ], actor: organizer)
        #expect(await refusal(h, key, "check", organizer, ["refuse": "assignment.rules_hold"])?.message.contains("says no") == true)
        #expect(try await move(h, key, "check", .system) == "checked")
        #expect(await refusal(h, key, "approve", organizer)?.refusal?.reason == .missingFields(["decision"]))
        #expect(try await move(h, key, "approve", organizer, ["decision": "123/QĐ-UBND"]) == "approved")
        h.clock.set(date("2024-02-01T00:00:00+07:00"))
        #expect(try await h.engine.fireDueTimers().fired == 1)
        #expect(try await h.engine.instance(.key(key)).state == "in_effect")
        #expect(await refusal(h, key, "cancel", organizer, ["reason": "x"])?.refusal?.reason == .notFromCurrentState)
        // Extended by six months before the evaluation falls due: the evaluation timer moves.
        #expect(await refusal(h, key, "extend", organizer, ["months": "18"])?.refusal?.reason == .missingFields(["end_date"]))
        #expect(try await move(h, key, "extend", organizer, ["months": "18", "end_date": "2025-08-01"]) == "extended")
        h.clock.set(date("2025-01-03T00:00:00+07:00"))
        #expect(try await h.engine.fireDueTimers().fired == 0)
        h.clock.set(date("2025-07-02T00:00:00+07:00"))
        #expect(try await h.engine.fireDueTimers().fired == 1)
        #expect(try await h.engine.instance(.key(key)).state == "evaluation_due")
        #expect(try await move(h, key, "evaluate", organizer, ["result": "hoàn thành tốt"]) == "evaluated")
        #expect(try await move(h, key, "complete", organizer, ["outcome": "return"]) == "completed")
        #expect(try effects(h) == ["assignment.move_cadre", "assignment.return_or_keep"])
    }
}
