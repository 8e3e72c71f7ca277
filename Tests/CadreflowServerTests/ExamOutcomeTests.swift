import CadreflowEngine
import CadreflowRules
import Foundation
import Testing

/// How exams end: ties, nobody passing, too few candidates, the deadline's timer, cancellation.
@Suite("Exam outcomes: ties, no winner, too few candidates, cancellation")
struct ExamOutcomeTests {
    /// Takes E1 (candidates C1…) through marks and defense: `marks[cadre] = (written, [defense])`.
    static func publish(_ server: ServerHarness, _ org: TestClient, _ marks: [String: (Int, [Int])], options: String = "") async throws -> String {
        let cadres = marks.keys.sorted()
        try await ExamTests.written(org, "E1", cadres, options: options)
        let key = try ExamTests.key(server, "E1")
        try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score"] + cadres.compactMap { cadre in key[cadre].map { "E1,\($0),\(marks[cadre]?.0 ?? 0)" } }).expectOK()
        var defense = ["exam,candidate,member,score"]
        for cadre in cadres where (marks[cadre]?.0 ?? 0) >= 50 {
            for (index, score) in (marks[cadre]?.1 ?? []).enumerated() { defense.append("E1,\(cadre),\"Ủy viên \(index + 1)\",\(score)") }
        }
        if defense.count > 1 { try await org.upload("EXAM IMPORT defense format=csv", defense).expectOK() }
        return try await org.send("EXAM PUBLISH E1").first ?? ""
    }

    @Test("Equal totals: the higher defense score wins")
    func tieByDefense() async throws {
        let (server, _, org) = try await ExamTests.start()
        defer { server.stop() }
        // C1: 80 + 70 → 75; C2: 70 + 80 → 75, the better defense.
        #expect(try await Self.publish(server, org, ["C1": (80, [70, 70]), "C2": (70, [80, 80])]) == "OK E1 published: C2 ranks first (EXAM APPOINT E1 decision=… appoints)")
        let shown = try await ExamTests.show(org, "E1")
        #expect(shown["C2"]?["rank"] == "1")
        #expect(shown["C1"]?["rank"] == "2")
        #expect(shown["C1"]?["total"] == shown["C2"]?["total"])
    }

    @Test("Equal totals and defense scores: APPOINT must name one of the tied")
    func tieNeedsChoice() async throws {
        let (server, _, org) = try await ExamTests.start()
        defer { server.stop() }
        let published = try await Self.publish(server, org, ["C1": (80, [70, 70]), "C2": (80, [75, 65]), "C3": (60, [60, 60])])
        #expect(published == "OK E1 published: C1, C2 share the first rank; EXAM APPOINT E1 cadre=… decision=… names the one appointed")
        #expect(try await ExamTests.show(org, "E1").mapValues { $0["rank"] ?? "" } == ["C1": "1", "C2": "1", "C3": "3"])
        #expect(try await org.send("EXAM APPOINT E1 decision=\"QĐ 5\"").first
            == "ERR INVALID cadre: required: C1, C2 share the first rank (same total and defense score); name the one appointed")
        #expect(try await org.send("EXAM APPOINT E1 cadre=C3 decision=\"QĐ 5\"").first == "ERR CONFLICT cadre: C3 is not among those ranked first (C1, C2)")
        #expect(try await org.send("EXAM APPOINT E1 cadre=C2 decision=\"QĐ 5\" date=2026-03-01").first
            == "ERR INVALID date: 2026-03-01 is before C2's current post began (2026-03-02): the work history would overlap")
        #expect(try await org.send("EXAM APPOINT E1 cadre=C2 decision=\"QĐ 5\" date=2026-03-02").first?.hasPrefix("OK E1 appointed: C2 holds") == true)
        #expect(try server.count("SELECT count(*) FROM cadres WHERE unit_code = 'SNV'") == 1)
        #expect(try await org.send("EXAM APPOINT E1 cadre=C1 decision=\"QĐ 6\"").first?.hasPrefix("ERR CONFLICT") == true)
    }

    @Test("Nobody passes both rounds: APPOINT ends the exam with no winner and moves nobody")
    func noWinner() async throws {
        let (server, _, org) = try await ExamTests.start()
        defer { server.stop() }
        #expect(try await Self.publish(server, org, ["C1": (40, []), "C2": (60, [45, 49])]) == "OK E1 published: nobody passed both rounds (EXAM APPOINT E1 records that there is no winner)")
        #expect(try await org.send("EXAM APPOINT E1").first == "OK E1 no_winner: nobody passed both rounds; the post stays open")
        #expect(try server.count("SELECT count(*) FROM cadres WHERE unit_code = 'SNV'") == 0)
        #expect(try await org.rows("REPORT EXAMS unit=HN").contains { $0[0] == "SNV" && $0[3] == "1" })
    }

    @Test("A pass mark and weights of the exam's own; absent candidates get no paper")
    func ownTermsAndAbsence() async throws {
        let (server, _, org) = try await ExamTests.start()
        defer { server.stop() }
        try await org.send("EXAM CREATE E1 post=\"Phó Giám đốc\" unit=SNV written_weight=40 pass_mark=60 min_candidates=2").expectOK()
        try await org.send("EXAM ANNOUNCE E1").expectOK()
        #expect(try await org.rows("EXAM LIST").first?[5] == "2026-04-02")
        for cadre in ["C1", "C2", "C3"] {
            try await org.send("EXAM REGISTER E1 \(cadre)").expectOK()
            try await org.send("EXAM ELIGIBLE E1 \(cadre) yes").expectOK()
        }
        try await org.send("EXAM CLOSE E1").expectOK()
        #expect(try await org.send("EXAM START E1 absent=C9").first == "ERR CONFLICT start refused: absent: C9 is not an eligible candidate of E1")
        #expect(try await org.send("EXAM START E1 absent=C3").first?.hasPrefix("OK E1 written: 2 paper codes drawn") == true)
        let key = try ExamTests.key(server, "E1")
        #expect(Set(key.keys) == ["C1", "C2"])
        try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score"] + key.map { "E1,\($0.value),\($0.key == "C1" ? 90 : 59)" }).expectOK()
        #expect(try await org.upload("EXAM IMPORT defense format=csv", ["exam,candidate,member,score", "E1,C1,M1,70"]).first == "OK imported 1 defense score for 1 exam")
        try await org.send("EXAM PUBLISH E1").expectOK()
        let shown = try await ExamTests.show(org, "E1")
        #expect(shown["C1"].map { [$0["total"], $0["rank"]] } == ["78", "1"])  // 40% of 90 + 60% of 70
        #expect(shown["C2"]?["passed"] == "no")
        #expect(shown["C3"]?["sitting"] == "absent")
    }

    @Test("Too few eligible at close: refused with the way out; the deadline's timer leaves it open and logs why; extend, then cancel mid-way")
    func tooFewAndCancel() async throws {
        let (server, clock, org) = try await ExamTests.start()
        defer { server.stop() }
        try await org.send("EXAM CREATE E1 post=\"Phó Giám đốc\" unit=SNV").expectOK()
        try await org.send("EXAM ANNOUNCE E1 deadline=2026-03-10").expectOK()
        try await org.send("EXAM REGISTER E1 C1").expectOK()
        try await org.send("EXAM REGISTER E1 X1").expectOK()
        #expect(try await org.send("EXAM CLOSE E1").first
            == "ERR CONFLICT close_registration refused: 1 eligible candidate (ruled eligible, or not yet ruled and passing the checks); the minimum is 2: extend the registration (EXAM EXTEND E1 deadline=YYYY-MM-DD) or cancel the exam (EXAM CANCEL E1 reason=…)")
        clock.set(ExamTests.moment("2026-03-11T00:05:00+07:00"))
        #expect(try await server.engine.fireDueTimers() == TimerReport(fired: 0, dropped: 1))
        #expect(try server.count("SELECT count(*) FROM workflow_timer_log WHERE transition = 'close_registration' AND detail LIKE '%the minimum is 2%'") == 1)
        #expect(try await org.send("EXAM REGISTER E1 C2").first == "ERR CONFLICT registration for E1 closed on 2026-03-10")
        #expect(try await org.send("EXAM EXTEND E1").first == "ERR INVALID deadline: required: the new registration deadline YYYY-MM-DD")
        #expect(try await org.send("EXAM EXTEND E1 deadline=2026-03-20").first == "OK E1 registration: registration open until 2026-03-20")
        try await org.send("EXAM REGISTER E1 C2").expectOK()
        clock.set(ExamTests.moment("2026-03-21T00:05:00+07:00"))
        #expect(try await server.engine.fireDueTimers() == TimerReport(fired: 1, dropped: 0))
        #expect(try await org.rows("EXAM LIST state=closed").map { $0[0] } == ["E1"])
        try await org.send("EXAM ELIGIBLE E1 C1 yes").expectOK()
        try await org.send("EXAM ELIGIBLE E1 C2 yes").expectOK()
        try await org.send("EXAM ELIGIBLE E1 X1 no reason=\"Chưa quy hoạch\"").expectOK()
        try await org.send("EXAM START E1").expectOK()
        // Cancelled in its written round: a reason is needed; marks can no longer come in.
        #expect(try await org.send("EXAM CANCEL E1").first == "ERR INVALID reason: required: say why")
        #expect(try await org.send("EXAM CANCEL E1 reason=\"Đề thi bị lộ\"").first == "OK E1 cancelled")
        let code = try ExamTests.key(server, "E1")["C1"] ?? ""
        #expect(try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score", "E1,\(code),80"]).first
            == "ERR CONFLICT line 2: exam E1 is cancelled: written marks are imported during its written round")
        #expect(try await org.send("EXAM START E1").first?.hasPrefix("ERR CONFLICT start is not possible from state cancelled") == true)
        let report = try await org.rows("REPORT EXAMS unit=HN")
        #expect(report.first { $0[0] == "SNV" }.map { [$0[2], $0[6]] } == ["0", "1"])
    }
}
