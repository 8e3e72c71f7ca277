import CadreflowEngine
import Foundation
import Testing

@Suite("The pure state machine")
struct StateMachineTests {
    let definition = EngineHarness.review
    let now = Date(timeIntervalSince1970: 1_717_200_000)
    let zone = EngineHarness.hanoi

    private func plan(_ state: String, _ name: String, role: String = "manager", fields: [String: String] = [:], data: [String: String] = [:]) -> Result<TransitionPlan, TransitionRefusal> {
        WorkflowStateMachine.plan(definition, state: state, data: data, transition: name, role: role, fields: fields, now: now, timeZone: zone)
    }

    @Test("A legal transition moves the state, merges the fields and plans the new state's timers")
    func legal() throws {
        let result = try plan("draft", "submit", fields: ["score": "80", "due": "2024-06-10"]).get()
        #expect(result.from == "draft")
        #expect(result.to == "submitted")
        #expect(result.data == ["score": "80", "due": "2024-06-10"])
        // due 2024-06-10 00:00 in Hanoi (UTC+7), one day before: 2024-06-08 17:00 UTC.
        #expect(result.timers == [PlannedTimer(transition: "remind", dueAt: Date(timeIntervalSince1970: 1_717_866_000))])
    }

    @Test("From the wrong state: refused, naming the current state and the legal transitions")
    func wrongState() {
        guard case .failure(let refusal) = plan("draft", "approve") else { Issue.record("expected a refusal"); return }
        #expect(refusal.reason == .notFromCurrentState)
        #expect(refusal.currentState == "draft")
        #expect(refusal.legal == ["submit"])
        #expect(refusal.description.contains("state draft"))
    }

    @Test("Unknown transitions, roles not allowed and missing fields are refused")
    func refusals() {
        guard case .failure(let unknown) = plan("draft", "teleport") else { Issue.record("expected a refusal"); return }
        #expect(unknown.reason == .unknownTransition)
        guard case .failure(let role) = plan("submitted", "approve", role: "cadre") else { Issue.record("expected a refusal"); return }
        #expect(role.reason == .roleNotAllowed)
        #expect(role.legal.isEmpty)
        guard case .failure(let missing) = plan("submitted", "reject") else { Issue.record("expected a refusal"); return }
        #expect(missing.reason == .missingFields(["reason"]))
        guard case .failure(let system) = plan("draft", "expire", role: "manager") else { Issue.record("expected a refusal"); return }
        #expect(system.reason == .roleNotAllowed)
        #expect(throws: Never.self) { try plan("draft", "expire", role: "system").get() }
    }

    @Test("After-timers count from the moment the state is entered; bad dates arm nothing")
    func timers() {
        let created = WorkflowStateMachine.timersOnEntering(definition, state: "draft", data: [:], now: now, timeZone: zone)
        #expect(created == [PlannedTimer(transition: "expire", dueAt: now.addingTimeInterval(3600))])
        let badDate = WorkflowStateMachine.timersOnEntering(definition, state: "submitted", data: ["due": "2024-02-30"], now: now, timeZone: zone)
        #expect(badDate.isEmpty)
        let stamp = WorkflowStateMachine.timersOnEntering(definition, state: "submitted", data: ["due": "2024-06-10T12:00:00Z"], now: now, timeZone: zone)
        #expect(stamp.first?.dueAt == FieldTime.parse("2024-06-09T12:00:00Z", timeZone: zone))
    }

    @Test("Admin may make any transition a person may, but not the system's")
    func admin() {
        #expect(throws: Never.self) { try plan("submitted", "approve", role: "admin").get() }
        guard case .failure = plan("draft", "expire", role: "admin") else { Issue.record("admin must not fire system transitions"); return }
    }
}
