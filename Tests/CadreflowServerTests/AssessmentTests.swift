import CadreflowEngine
import CadreflowRules
import Foundation
import Testing

/// The monthly assessment through the protocol, as its users do it: the organizer opens
/// the month, cadres self-assess, a manager reviews, the head approves under the quota,
/// deadlines pass by the engine's timers (an injected clock), reports read the result.
@Suite("Monthly assessment through the protocol")
struct AssessmentTests {
    static let zone = ServerHarness.zone

    static func moment(_ text: String) -> Date {
        FieldTime.parse(text, timeZone: zone) ?? Date(timeIntervalSince1970: 0)
    }

    /// A city HN with a ward HN.A of `cadres` cadres (C1…), an organizer over HN, a head and
    /// a reviewer over HN.A, and an account for cadre C1 itself.
    static func city(_ server: ServerHarness, cadres: Int = 5, since: String = "2025-01-01") async throws -> TestClient {
        let admin = try await server.admin()
        try await admin.send("UNIT ADD HN name=\"Thành phố Hà Nội\"").expectOK()
        try await admin.send("UNIT ADD HN.A name=\"Phường Hoàn Kiếm\" parent=HN").expectOK()
        try await admin.send("UNIT ADD HN.B name=\"Phường Ba Đình\" parent=HN").expectOK()
        let names = ["Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Hoa", "Phạm Minh Đức", "Hoàng Thị Thu", "Vũ Văn Nam"]
        for index in 1...cadres {
            try await admin.send("CADRE ADD C\(index) name=\"\(names[(index - 1) % names.count])\" unit=HN.A since=\(since)").expectOK()
        }
        try await admin.send("CADRE ADD B1 name=\"Đỗ Văn Bình\" unit=HN.B since=\(since)").expectOK()
        try await admin.send("USER ADD org role=organizer unit=HN password=org-password-1").expectOK()
        try await admin.send("USER ADD head role=manager unit=HN.A head=yes password=head-password-1").expectOK()
        try await admin.send("USER ADD rev role=manager unit=HN.A password=rev-password-1").expectOK()
        try await admin.send("USER ADD lan role=viewer unit=HN.A cadre=C1 password=lan-password-1").expectOK()
        return admin
    }

    @Test("A month end to end: open (twice), self-assess, review, the quota refuses and names the counts, approve, show, report")
    func wholeMonth() async throws {
        let clock = ManualClock(Self.moment("2025-10-01T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        defer { server.stop() }
        _ = try await Self.city(server)
        let org = try await server.client(as: "org", password: "org-password-1")
        let head = try await server.client(as: "head", password: "head-password-1")
        let rev = try await server.client(as: "rev", password: "rev-password-1")
        let lan = try await server.client(as: "lan", password: "lan-password-1")

        let opened = try await org.send("CYCLE OPEN 2025-09 unit=HN")
        #expect(opened.first?.hasPrefix("OK cycle/2025-09/HN opened: 6 assessments created (self-assessment by 2025-10-03, review by 2025-10-05, approval by 2025-10-07, closes 2025-10-08; rules qd3814-monthly)") == true)
        let again = try await org.send("CYCLE OPEN 2025-09 unit=HN")
        #expect(again.first?.hasPrefix("OK cycle/2025-09/HN was open already: 0 assessments created, 6 existed") == true)
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'assessment'") == 6)
        #expect(try await head.send("CYCLE OPEN 2025-09 unit=HN").first?.hasPrefix("ERR DENIED") == true)

        // The cadre self-assesses; every part is checked against its range.
        #expect(try await lan.send("ASSESS SELF C1 2025-09 discipline=18 duties=71").first == "ERR INVALID duties: 71 is outside 0–70")
        #expect(try await lan.send("ASSESS SELF C1 2025-09 discipline=18 duties=65.25").first?.hasPrefix("ERR INVALID duties: 65.25") == true)
        #expect(try await lan.send("ASSESS SELF C1 2025-09 duties=65").first == "ERR INVALID discipline: required")
        #expect(try await lan.send("ASSESS SELF C2 2025-09 discipline=18 duties=65").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await lan.send("ASSESS SELF C1 2025-09 discipline=18 duties=65 bonus=5 note=\"Hoàn thành tốt nhiệm vụ\"").first
            == "OK assessment/2025-09/C1 self_assessed total 88 grade B")
        // A manager enters the others' on their behalf; the reviewer scores them all.
        for (cadre, duties) in [("C2", 66), ("C3", 64), ("C4", 50), ("C5", 52)] {
            #expect(try await rev.send("ASSESS SELF \(cadre) 2025-09 discipline=18 duties=\(duties)").first?.contains("(entered on the cadre's behalf)") == true)
        }
        #expect(try await rev.send("ASSESS REVIEW C1 2025-09 discipline=19 duties=66 bonus=6 comment=\"Xuất sắc\"").first == "OK assessment/2025-09/C1 reviewed total 91 grade A")
        #expect(try await rev.send("ASSESS REVIEW C2 2025-09 discipline=20 duties=70 bonus=5").first?.hasSuffix("grade A") == true)
        #expect(try await rev.send("ASSESS REVIEW C3 2025-09 discipline=20 duties=68 bonus=4").first?.hasSuffix("grade A") == true)
        #expect(try await rev.send("ASSESS REVIEW C4 2025-09 discipline=15 duties=60").first?.hasSuffix("grade B") == true)
        #expect(try await rev.send("ASSESS REVIEW C5 2025-09 discipline=15 duties=62").first?.hasSuffix("grade B") == true)
        #expect(try await rev.send("ASSESS REVIEW B1 2025-09 discipline=15 duties=62").first?.hasPrefix("ERR") == true)

        // Only the head approves; 3 A of 5 is over 30% (limit 1): nothing is approved.
        #expect(try await rev.send("ASSESS APPROVE unit=HN.A 2025-09").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await head.send("ASSESS APPROVE unit=HN.A 2025-09").first
            == "ERR QUOTA quota: unit HN.A, 2025-09: 3 of 5 graded would be A; the limit is 1 (30%); nothing approved")
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'assessment' AND state = 'approved'") == 0)
        // C3 goes back for revision; the unit is marked outstanding (40%: 2 of 5).
        #expect(try await rev.send("ASSESS RETURN C3 2025-09").first == "ERR INVALID reason: required: say why")
        #expect(try await rev.send("ASSESS RETURN C3 2025-09 reason=\"Thiếu minh chứng\"").first == "OK assessment/2025-09/C3 returned")
        try await org.send("CYCLE OUTSTANDING 2025-09 unit=HN.A yes").expectOK()
        let approved = try await head.send("ASSESS APPROVE unit=HN.A 2025-09")
        #expect(approved.first == "OK approved 4 in unit HN.A for 2025-09 (unit HN.A: 2 of 5 graded would be A; within the limit of 2 (40%, outstanding unit))")
        #expect(try await rev.send("ASSESS SELF C3 2025-09 discipline=18 duties=60").first?.hasSuffix("grade B (entered on the cadre's behalf)") == true)
        #expect(try await rev.send("ASSESS REVIEW C3 2025-09 discipline=18 duties=62").first?.hasSuffix("grade B") == true)
        #expect(try await head.send("ASSESS APPROVE C3 2025-09").first?.hasPrefix("OK approved 1 in unit HN.A") == true)

        // SHOW has both the self and the review scores, and every step with its actor.
        let shown = try await lan.send("ASSESS SHOW C1 2025-09")
        #expect(shown.contains("field\tstate\tapproved"))
        #expect(shown.contains("field\tself_total\t88"))
        #expect(shown.contains("field\tself_note\tHoàn thành tốt nhiệm vụ"))
        #expect(shown.contains("field\treview_total\t91"))
        #expect(shown.contains("field\tgrade\tA"))
        #expect(shown.contains { $0.contains("self_assess: pending -> self_assessed by lan (cadre)") })
        #expect(shown.contains { $0.contains("approve: reviewed -> approved by head (manager)") })

        // The month's report, in English and as the board writes it.
        let report = try await org.send("REPORT GRADES 2025-09 unit=HN")
        #expect(report.contains("HN.A\tPhường Hoàn Kiếm\t5\t5\t100.0%\t2\t40.0%\t3\t60.0%\t5\t100.0%\t0\t0.0%\t0\t0.0%\t1"), "\(report)")
        #expect(report.contains("HN.B\tPhường Ba Đình\t1\t0\t0.0%\t0\t\t0\t\t0\t\t0\t\t0\t\t0"), "\(report)")
        let vietnamese = try await org.send("REPORT GRADES 2025-09 unit=HN locale=vi")
        #expect(vietnamese.contains("(total)\tTổng cộng\t6\t5\t83,3%\t2\t40,0%\t3\t60,0%\t5\t100,0%\t0\t0,0%\t0\t0,0%\t"), "\(vietnamese)")
        _ = try await org.send("FORMAT json")
        let sentence = try await org.send("REPORT GRADES 2025-09 unit=HN locale=vi").first ?? ""
        #expect(sentence.contains("2025-09: 5/6 được đánh giá, xếp loại; 2 hoàn thành xuất sắc nhiệm vụ (40,0%); 5 hoàn thành tốt nhiệm vụ trở lên (100,0%)"), "\(sentence)")
        _ = try await org.send("FORMAT text")

        // Reopening: only an organizer, with a reason.
        #expect(try await head.send("ASSESS REOPEN C1 2025-09 reason=\"sai điểm\"").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await org.send("ASSESS REOPEN C1 2025-09 reason=\"sai điểm\"").first == "OK assessment/2025-09/C1 reviewed")
        let history = try await server.engine.history(.key("assessment/2025-09/C1")).map(\.transition)
        #expect(history == ["create", "self_assess", "review", "approve", "reopen"])
    }

    @Test("Deadlines by timer: overdue after day 3, the manager reviews without a self-assessment, escalation levels, frozen at close")
    func deadlines() async throws {
        let clock = ManualClock(Self.moment("2026-12-01T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        defer { server.stop() }
        _ = try await Self.city(server, cadres: 3)
        let org = try await server.client(as: "org", password: "org-password-1")
        let rev = try await server.client(as: "rev", password: "rev-password-1")
        let lan = try await server.client(as: "lan", password: "lan-password-1")
        try await org.send("CYCLE OPEN 2026-11 unit=HN.A").expectOK()
        try await lan.send("ASSESS SELF C1 2026-11 discipline=18 duties=60").expectOK()
        try await rev.send("ASSESS EXEMPT C3 2026-11 reason=\"Nghỉ thai sản\"").expectOK()

        clock.set(Self.moment("2026-12-04T00:00:01+07:00"))
        #expect(try await server.engine.fireDueTimers().fired == 1)
        let status = try await org.send("CYCLE STATUS 2026-11 unit=HN.A")
        #expect(status.contains("exempt\t1") && status.contains("overdue\t1") && status.contains("self_assessed\t1"))
        #expect(try await rev.send("ASSESS SELF C2 2026-11 discipline=18 duties=60").first
            == "ERR CONFLICT the self-assessment deadline 2026-12-03 has passed: the manager reviews it now (flagged no self-assessment)")
        #expect(try await rev.send("ASSESS REVIEW C2 2026-11 discipline=15 duties=50").first == "OK assessment/2026-11/C2 reviewed total 65 grade C (no self-assessment)")

        // 7 December: C1's review (due the 5th) is seriously late, C2's approval (due the 7th) due soon.
        clock.set(Self.moment("2026-12-07T10:00:00+07:00"))
        _ = try await server.engine.fireDueTimers()
        let late = try await org.send("REPORT PROGRESS 2026-11 unit=HN list=late")
        #expect(late.contains("C1\tNguyễn Thị Lan\tHN.A\tself_assessed\treview\t2026-12-05\tseriously_late\tthe organizer"))
        #expect(late.contains("C2\tTrần Văn Hùng\tHN.A\treviewed\tapprove\t2026-12-07\tdue_soon\tthe cadre"))
        let progress = try await org.send("REPORT PROGRESS 2026-11 unit=HN")
        #expect(progress.contains("HN.A\tPhường Hoàn Kiếm\t3\t0\t1\t0\t0\t1\t0\t1\t1\t0\t1"))

        // The exempt cadre is not one of those to assess: 2 of 3, none approved yet.
        let grades = try await org.send("REPORT GRADES 2026-11 unit=HN.A")
        #expect(grades.contains { $0.hasPrefix("HN.A\tPhường Hoàn Kiếm\t2\t0\t0.0%\t0\t") }, "\(grades)")

        // Day 8: the cycle closes by its timer and the month is frozen.
        clock.set(Self.moment("2026-12-08T00:00:01+07:00"))
        #expect(try await server.engine.fireDueTimers().fired >= 1)
        #expect(try await rev.send("ASSESS REVIEW C1 2026-11 discipline=15 duties=50").first?.hasPrefix("ERR CONFLICT the 2026-11 cycle is closed") == true)
        let cycles = try await org.send("CYCLE LIST")
        #expect(cycles.contains { $0.hasPrefix("cycle/2026-11/HN.A\t2026-11\tHN.A\tclosed\tnd335-2026\t2026-12-08\t3\t0") })
    }

    @Test("Two heads approving at once cannot both pass the quota: the check is inside the approval's transaction")
    func concurrentApprovals() async throws {
        let clock = ManualClock(Self.moment("2025-10-01T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        defer { server.stop() }
        let admin = try await Self.city(server, cadres: 4)
        try await admin.send("USER ADD head2 role=manager unit=HN.A head=yes password=head-password-2").expectOK()
        let org = try await server.client(as: "org", password: "org-password-1")
        let rev = try await server.client(as: "rev", password: "rev-password-1")
        try await org.send("CYCLE OPEN 2025-09 unit=HN.A").expectOK()
        for cadre in ["C1", "C2", "C3", "C4"] {
            try await rev.send("ASSESS SELF \(cadre) 2025-09 discipline=20 duties=70").expectOK()
            try await rev.send("ASSESS REVIEW \(cadre) 2025-09 discipline=20 duties=70 bonus=5").expectOK()
        }
        // 4 graded: the limit is 1 A. Each head approves a different cadre at the same moment.
        let first = try await server.client(as: "head", password: "head-password-1")
        let second = try await server.client(as: "head2", password: "head-password-2")
        async let one = first.send("ASSESS APPROVE C1 2025-09")
        async let two = second.send("ASSESS APPROVE C2 2025-09")
        let replies = try await [one, two].compactMap(\.first)
        #expect(replies.filter { $0.hasPrefix("OK approved 1") }.count == 1)
        #expect(replies.filter { $0.hasPrefix("ERR QUOTA") }.count == 1)
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'assessment' AND state = 'approved'") == 1)
    }

    @Test("The schedule opens last month on day 1 at 00:05 for every root unit; RULES LIST and SHOW")
    func scheduleAndRules() async throws {
        let clock = ManualClock(Self.moment("2026-12-01T00:04:00+07:00"))
        let schedule = ScheduleDefinition(name: "open-monthly-cycle", action: "open_monthly_cycle", frequency: .monthly(day: 1), hour: 0, minute: 5, missed: .fireOnce)
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock, schedules: [schedule])
        defer { server.stop() }
        _ = try await Self.city(server, cadres: 2)
        _ = try await server.scheduler.tick()
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'monthly_cycle'") == 0)
        clock.set(Self.moment("2026-12-01T00:05:30+07:00"))
        let runs = try await server.scheduler.tick()
        #expect(runs.map(\.status) == ["ran"])
        #expect(runs.first?.detail == "cycle/2026-11/HN 3 created")
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'assessment' AND data->>'month' = '2026-11'") == 3)

        let org = try await server.client(as: "org", password: "org-password-1")
        let rules = try await org.send("RULES LIST")
        #expect(rules.contains { $0.hasPrefix("qd3814-monthly\t2018-06\t2025-09\tmonthly\t") })
        #expect(rules.contains { $0.hasPrefix("kl198-quarterly\t2025-10\t2025-12\tquarterly\t") })
        let shown = try await org.send("RULES SHOW 2026-11")
        #expect(shown.contains("name\tnd335-2026"))
        #expect(try await org.send("RULES SHOW nothing").first?.hasPrefix("ERR NOTFOUND") == true)
    }

    /// Opens a month for HN and takes each listed cadre through self, review and approval
    /// (`nil` score: exempt), with the reviewer and head given per unit.
    private static func month(
        _ month: String, _ scores: [(cadre: String, duties: Int?, unit: String)], org: TestClient, managers: [String: (reviewer: TestClient, head: TestClient)]
    ) async throws {
        try await org.send("CYCLE OPEN \(month) unit=HN").expectOK()
        for entry in scores {
            guard let pair = managers[entry.unit] else { continue }
            guard let duties = entry.duties else {
                try await pair.reviewer.send("ASSESS EXEMPT \(entry.cadre) \(month) reason=\"Nghỉ phép dài hạn\"").expectOK()
                continue
            }
            try await pair.reviewer.send("ASSESS SELF \(entry.cadre) \(month) discipline=20 duties=\(duties)").expectOK()
            try await pair.reviewer.send("ASSESS REVIEW \(entry.cadre) \(month) discipline=20 duties=\(duties) bonus=5").expectOK()
            try await pair.head.send("ASSESS APPROVE \(entry.cadre) \(month)").expectOK()
        }
    }

    @Test("The year: the mean of the approved months worked across a transfer, exempt months left out, discipline → D; YEAR APPROVE under the annual quota")
    func year() async throws {
        let clock = ManualClock(Self.moment("2026-03-01T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        defer { server.stop() }
        let admin = try await Self.city(server, cadres: 5)
        try await admin.send("USER ADD revb role=manager unit=HN.B head=yes password=revb-password-1").expectOK()
        let org = try await server.client(as: "org", password: "org-password-1")
        let managers = [
            "HN.A": (reviewer: try await server.client(as: "rev", password: "rev-password-1"), head: try await server.client(as: "head", password: "head-password-1")),
            "HN.B": (reviewer: try await server.client(as: "revb", password: "revb-password-1"), head: try await server.client(as: "head", password: "head-password-1")),
        ]
        // HN.B's head approves its own unit: a second session of revb.
        let headB = try await server.client(as: "revb", password: "revb-password-1")
        let withB = ["HN.A": managers["HN.A"]!, "HN.B": (reviewer: managers["HN.B"]!.reviewer, head: headB)]
        try await Self.month("2026-01", [("C1", 70, "HN.A"), ("C2", 67, "HN.A"), ("C3", 55, "HN.A"), ("C4", 50, "HN.A"), ("C5", nil, "HN.A"), ("B1", 55, "HN.B")], org: org, managers: withB)
        // C4 moves to HN.B: February is assessed there, and the year keeps both months.
        try await admin.send("CADRE MOVE C4 unit=HN.B date=2026-02-01 reason=\"Điều động\"").expectOK()
        try await Self.month("2026-02", [("C1", 68, "HN.A"), ("C2", 66, "HN.A"), ("C3", 59, "HN.A"), ("C4", 60, "HN.B"), ("C5", 55, "HN.A"), ("B1", 45, "HN.B")], org: org, managers: withB)
        #expect(try await managers["HN.A"]!.head.send("ASSESS SHOW C4 2026-02").first?.hasPrefix("ERR DENIED") == true)
        try await admin.send("CADRE DISCIPLINE C3 year=2026 form=reprimand decision=\"QĐ 12/QĐ-KL\" date=2026-02-20").expectOK()

        let year = try await org.send("REPORT YEAR 2026 unit=HN")
        #expect(year.contains("C1\tNguyễn Thị Lan\tHN.A\t2\t0\t94\tA\tno"), "\(year)")
        #expect(year.contains("C3\tLê Thị Hoa\tHN.A\t2\t0\t82\tD\tyes"), "\(year)")
        #expect(year.contains("C4\tPhạm Minh Đức\tHN.B\t2\t0\t80\tB\tno"), "\(year)")
        #expect(year.contains("C5\tHoàng Thị Thu\tHN.A\t1\t1\t80\tB\tno"), "\(year)")
        #expect(year.contains("B1\tĐỗ Văn Bình\tHN.B\t2\t0\t75\tB\tno"), "\(year)")

        // The annual quota: A ≤ 20% of those graded B, per unit and level.
        #expect(try await managers["HN.A"]!.head.send("YEAR APPROVE 2026 unit=HN.A").first
            == "ERR QUOTA year.quota: unit HN.A, level staff, 2026: 2 would be A against 1 graded B; the limit is 0 (20% of B); nothing approved")
        #expect(try server.count("SELECT count(*) FROM period_results") == 0)
        #expect(try await headB.send("YEAR APPROVE 2026 unit=HN.B").first?.hasPrefix("OK approved 2026 results of 2 cadres in unit HN.B") == true)
        #expect(try await headB.send("YEAR APPROVE 2026 unit=HN.B").first == "OK 2026 results of unit HN.B were approved already (2 cadres); nothing changed")
        #expect(try await headB.send("YEAR APPROVE 2026-Q4 unit=HN.B").first?.hasPrefix("ERR INVALID period: 2026-Q4 is not graded under nd335-2026") == true)
        // Months of 2026 are scored but not graded (quarterly rules); 2025 months keep their monthly rules.
        #expect(try await org.send("RULES SHOW 2025-09").contains("name\tqd3814-monthly"))
    }

    @Test("A manager or organizer outside the unit is refused at every assessment command, and a viewer cannot change anything")
    func outsideScope() async throws {
        let clock = ManualClock(Self.moment("2025-10-01T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        defer { server.stop() }
        let admin = try await Self.city(server, cadres: 2)
        try await admin.send("USER ADD farorg role=organizer unit=HN.B password=far-password-1").expectOK()
        try await admin.send("USER ADD farhead role=manager unit=HN.B head=yes password=far-password-2").expectOK()
        try await admin.send("USER ADD look role=viewer unit=HN password=look-password-1").expectOK()
        let org = try await server.client(as: "org", password: "org-password-1")
        let rev = try await server.client(as: "rev", password: "rev-password-1")
        try await org.send("CYCLE OPEN 2025-09 unit=HN").expectOK()
        try await rev.send("ASSESS SELF C2 2025-09 discipline=18 duties=60").expectOK()
        try await rev.send("ASSESS REVIEW C2 2025-09 discipline=18 duties=60").expectOK()
        let farOrg = try await server.client(as: "farorg", password: "far-password-1")
        let farHead = try await server.client(as: "farhead", password: "far-password-2")
        let viewer = try await server.client(as: "look", password: "look-password-1")
        for (client, command) in [
            (farOrg, "CYCLE OPEN 2025-09 unit=HN.A"), (farOrg, "CYCLE CLOSE 2025-09 unit=HN"), (farOrg, "CYCLE OUTSTANDING 2025-09 unit=HN.A yes"),
            (farOrg, "CYCLE STATUS 2025-09 unit=HN.A"), (farOrg, "ASSESS EXEMPT C1 2025-09 reason=x"), (farOrg, "ASSESS LIST 2025-09 unit=HN.A"),
            (farOrg, "REPORT PROGRESS 2025-09 unit=HN.A"), (farOrg, "REPORT GRADES 2025-09 unit=HN"), (farOrg, "REPORT YEAR 2025 unit=HN.A"),
            (farHead, "ASSESS SELF C1 2025-09 discipline=18 duties=60"), (farHead, "ASSESS REVIEW C2 2025-09 discipline=18 duties=60"),
            (farHead, "ASSESS APPROVE C2 2025-09"), (farHead, "ASSESS APPROVE unit=HN.A 2025-09"), (farHead, "ASSESS RETURN C2 2025-09 reason=x"),
            (farHead, "ASSESS SHOW C2 2025-09"), (farHead, "YEAR APPROVE 2025 unit=HN.A"),
            (viewer, "ASSESS SELF C1 2025-09 discipline=18 duties=60"), (viewer, "ASSESS APPROVE C2 2025-09"), (viewer, "CYCLE OPEN 2025-10"),
        ] {
            let reply = try await client.send(command)
            #expect(reply.first?.hasPrefix("ERR DENIED") == true, "\(command): \(reply)")
        }
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'assessment' AND state IN ('approved', 'exempt', 'returned')") == 0)
        // Inside its scope the viewer reads.
        #expect(try await viewer.send("ASSESS SHOW C2 2025-09").first?.hasPrefix("DATA") == true)
    }

    @Test("Across the 2025 merge: each month counts under the unit that assessed it, rollup=successor under today's unit, the year keeps both")
    func acrossTheMerge() async throws {
        let clock = ManualClock(Self.moment("2025-09-02T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        defer { server.stop() }
        let admin = try await server.admin()
        try await admin.send("UNIT ADD HN name=\"Hà Nội\" valid_from=2000-01-01").expectOK()
        try await admin.send("UNIT ADD HK.HANGBAC name=\"Phường Hàng Bạc\" parent=HN valid_from=2000-01-01").expectOK()
        try await admin.send("UNIT ADD HK.HANGBO name=\"Phường Hàng Bồ\" parent=HN valid_from=2000-01-01").expectOK()
        try await admin.send("UNIT ADD P_HOANKIEM name=\"Phường Hoàn Kiếm\" parent=HN valid_from=2025-07-01").expectOK()
        try await admin.send("CADRE ADD C1 name=\"Nguyễn Thị Lan\" unit=HK.HANGBAC since=2025-01-01").expectOK()
        try await admin.send("CADRE ADD C2 name=\"Trần Văn Hùng\" unit=HK.HANGBO since=2025-01-01").expectOK()
        try await admin.send("USER ADD org role=organizer unit=HN password=org-password-1").expectOK()
        try await admin.send("USER ADD head role=manager unit=HN head=yes password=head-password-1").expectOK()
        let org = try await server.client(as: "org", password: "org-password-1")
        let head = try await server.client(as: "head", password: "head-password-1")
        func month(_ month: String, _ duties: [String: Int]) async throws {
            try await org.send("CYCLE OPEN \(month) unit=HN").expectOK()
            for (cadre, value) in duties.sorted(by: { $0.key < $1.key }) {
                try await head.send("ASSESS SELF \(cadre) \(month) discipline=20 duties=\(value)").expectOK()
                try await head.send("ASSESS REVIEW \(cadre) \(month) discipline=20 duties=\(value)").expectOK()
                try await head.send("ASSESS APPROVE \(cadre) \(month)").expectOK()
            }
        }
        // (In a one-cadre unit no A fits the 30% quota: the scores stay below 90.)
        try await month("2025-06", ["C1": 65, "C2": 50])
        try await admin.send("UNIT MERGE HK.HANGBAC,HK.HANGBO into=P_HOANKIEM date=2025-07-01 decision=\"Nghị quyết 1656/NQ-UBTVQH15\"").expectOK()
        try await month("2025-07", ["C1": 60, "C2": 60])

        let june = try await org.send("REPORT GRADES 2025-06 unit=HN")
        #expect(june.contains { $0.hasPrefix("HK.HANGBAC\tPhường Hàng Bạc\t1\t1\t") } && june.contains { $0.hasPrefix("HK.HANGBO\tPhường Hàng Bồ\t1\t1\t") }, "\(june)")
        let rolled = try await org.send("REPORT GRADES 2025-06 unit=HN rollup=successor")
        #expect(rolled.contains { $0.hasPrefix("P_HOANKIEM\tPhường Hoàn Kiếm\t2\t2\t100.0%\t0\t0.0%\t2\t100.0%\t2\t100.0%") }, "\(rolled)")
        #expect(!rolled.contains { $0.hasPrefix("HK.") }, "\(rolled)")
        #expect(try await org.send("REPORT GRADES 2025-06 unit=P_HOANKIEM rollup=successor").contains { $0.hasPrefix("P_HOANKIEM\t") })
        // The year (judged by the rules in force at its end) keeps both months of each cadre, now in the new ward.
        let year = try await org.send("REPORT YEAR 2025-Q3 unit=HN")
        #expect(year.contains("C1\tNguyễn Thị Lan\tP_HOANKIEM\t1\t0\t80\tB\tno"), "\(year)")
        let half = try await org.send("REPORT YEAR 2025 unit=HN")
        #expect(half.contains("C1\tNguyễn Thị Lan\tP_HOANKIEM\t2\t0\t82.5\tB\tno"), "\(half)")
        #expect(half.contains("C2\tTrần Văn Hùng\tP_HOANKIEM\t2\t0\t75\tB\tno"), "\(half)")
    }
}

