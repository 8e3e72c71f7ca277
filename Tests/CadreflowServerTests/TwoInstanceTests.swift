import CadreflowEngine
import CadreflowRules
import Foundation
import Testing

extension WholeServiceTests {
    /// Two service instances on one database, as N stateless nodes on one primary run: each
    /// has its own pool, engine and scheduler; only the database is shared.
    @Suite("Two service instances on one database")
    struct TwoInstanceTests {
        @Test("The schedule's period opens once, each timer fires once, one approval wins, idem= holds across them, and the survivor carries on")
        func twoInstances() async throws {
            let clock = ManualClock(AssessmentTests.moment("2026-12-01T00:04:00+07:00"))
            let schedule = ScheduleDefinition(name: "open-monthly-cycle", action: "open_monthly_cycle", frequency: .monthly(day: 1), hour: 0, minute: 5, missed: .fireOnce)
            let definitions = try ServerHarness.builtInDefinitions()
            let one = try await ServerHarness.start(definitions: definitions, clock: clock, schedules: [schedule])
            var oneStopped = false
            defer { if !oneStopped { one.stop() } }
            let two = try await ServerHarness.start(existing: one.database, definitions: definitions, clock: clock, schedules: [schedule])
            defer { two.stop() }
            _ = try await AssessmentTests.city(one, cadres: 2)
            _ = try await (one.scheduler.tick(), two.scheduler.tick())

            // 00:05: both schedulers tick at once, several times; the month opens once.
            clock.set(AssessmentTests.moment("2026-12-01T00:05:30+07:00"))
            var runs: [ScheduleRun] = []
            for _ in 0..<3 {
                async let first = one.scheduler.tick()
                async let second = two.scheduler.tick()
                runs += try await first + second
            }
            #expect(runs.map(\.status) == ["ran"], "\(runs)")
            #expect(try one.count("SELECT count(*) FROM schedule_runs WHERE schedule = 'open-monthly-cycle'") == 1)
            #expect(try one.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'monthly_cycle'") == 1)
            #expect(try one.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'assessment' AND data->>'month' = '2026-11'") == 3)

            // C1 self-assesses on one instance and is reviewed on the other.
            let lanOnOne = try await one.client(as: "lan", password: "lan-password-1")
            let revOnTwo = try await two.client(as: "rev", password: "rev-password-1")
            try await lanOnOne.send("ASSESS SELF C1 2026-11 discipline=18 duties=60").expectOK()
            try await revOnTwo.send("ASSESS REVIEW C1 2026-11 discipline=18 duties=60").expectOK()

            // Day 4: both fire due timers at once; each timer fires exactly once.
            let armed = try one.count("SELECT count(*) FROM workflow_timers WHERE due_at <= '2026-12-04T00:00:01+07:00'")
            #expect(armed >= 1)
            clock.set(AssessmentTests.moment("2026-12-04T00:00:01+07:00"))
            async let firedOne = one.engine.fireDueTimers(limit: 1)
            async let firedTwo = two.engine.fireDueTimers(limit: 1)
            let fired = try await firedOne.fired + firedTwo.fired
            let rest = try await one.engine.fireDueTimers().fired + two.engine.fireDueTimers().fired
            #expect(fired + rest == armed)
            #expect(try one.count("SELECT count(*) FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id WHERE i.workflow = 'assessment' AND h.transition = 'mark_overdue'") == 2)
            #expect(try one.count("""
                SELECT count(*) FROM (SELECT instance_id, transition FROM workflow_history GROUP BY instance_id, transition HAVING count(*) > 1) repeated
                """) == 0)

            // The same head approves C1 on both instances at the same moment: one wins.
            let headOnOne = try await one.client(as: "head", password: "head-password-1")
            let headOnTwo = try await two.client(as: "head", password: "head-password-1")
            async let approvedOne = headOnOne.send("ASSESS APPROVE C1 2026-11")
            async let approvedTwo = headOnTwo.send("ASSESS APPROVE C1 2026-11")
            let approvals = try await [approvedOne, approvedTwo].compactMap(\.first)
            #expect(approvals.filter { $0.hasPrefix("OK") }.count == 1, "\(approvals)")
            #expect(approvals.filter { $0.hasPrefix("ERR CONFLICT") }.count == 1, "\(approvals)")
            #expect(try one.count("SELECT count(*) FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id WHERE i.key = 'assessment/2026-11/C1' AND h.transition = 'approve'") == 1)

            // One idem= key sent to both instances at once: one review, the same reply twice.
            let revOnOne = try await one.client(as: "rev", password: "rev-password-1")
            let line = "ASSESS REVIEW C2 2026-11 discipline=15 duties=50 idem=review-c2"
            async let reviewOne = revOnOne.send(line)
            async let reviewTwo = revOnTwo.send(line)
            let reviews = try await [reviewOne, reviewTwo]
            #expect(reviews == [["OK assessment/2026-11/C2 reviewed total 65 grade C (no self-assessment)"], ["OK assessment/2026-11/C2 reviewed total 65 grade C (no self-assessment)"]])
            // A later retry (as after a lost reply) gets the same reply too, not a refusal for the state the first left.
            #expect(try await revOnOne.send(line) == reviews[0])
            #expect(try await revOnTwo.send(line) == reviews[0])
            #expect(try one.count("SELECT count(*) FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id WHERE i.key = 'assessment/2026-11/C2' AND h.transition = 'review'") == 1)

            // Instance one stops; two serves on: commands, the day-8 close by timer, next month's schedule.
            one.stop()
            oneStopped = true
            let head = try await two.client(as: "head", password: "head-password-1")
            #expect(try await head.send("ASSESS SHOW C1 2026-11").contains { $0.contains("approved") })
            clock.set(AssessmentTests.moment("2026-12-08T00:00:01+07:00"))
            #expect(try await two.engine.fireDueTimers().fired >= 1)
            #expect(try two.count("SELECT count(*) FROM workflow_instances WHERE key = 'cycle/2026-11/HN' AND state = 'closed'") == 1)
            clock.set(AssessmentTests.moment("2027-01-01T00:05:10+07:00"))
            #expect(try await two.scheduler.tick().map(\.status) == ["ran"])
            #expect(try two.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'monthly_cycle'") == 2)
        }
    }
}
