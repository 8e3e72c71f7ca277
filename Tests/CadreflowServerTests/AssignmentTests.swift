import CadreflowEngine
import CadreflowRules
import Foundation
import Testing

/// Rotations, transfers and secondments through the protocol, as an organisation board
/// decides them: proposed and checked at once, approved by a decision, taking effect on the
/// start date by the engine's timer, evaluated, completed; and the non-local report.
@Suite("Assignments through the protocol")
struct AssignmentTests {
    static func moment(_ text: String) -> Date { ExamTests.moment(text) }

    /// HN with wards P1 and P2 and the department SNV; cadres in P1: C1 (planning, 1985),
    /// C2 (a woman, 1988), C3, X1 (not in the planning pool), O1 (born 1968), F1 (pregnant),
    /// F2 (a child born 2025-01-01); an organizer over HN and one over P1 only.
    static func city(_ server: ServerHarness) async throws -> TestClient {
        let admin = try await server.admin()
        try await admin.send("UNIT ADD HN name=\"Thành phố Hà Nội\"").expectOK()
        try await admin.send("UNIT ADD P1 name=\"Phường Ba Đình\" parent=HN").expectOK()
        try await admin.send("UNIT ADD P2 name=\"Phường Ngọc Hà\" parent=HN").expectOK()
        try await admin.send("UNIT ADD SNV name=\"Sở Nội vụ\" parent=HN").expectOK()
        try await admin.send("UNIT ADD PN name=\"Phường mới\" parent=HN valid_from=2027-01-01").expectOK()
        for line in [
            "C1 name=\"Nguyễn Văn An\" born=1985-03-01 sex=m planning=yes position=\"Chuyên viên\"",
            "C2 name=\"Trần Thị Bích\" born=1988-05-01 sex=f planning=yes", "C3 name=\"Lê Văn Cường\" born=1980-01-01 sex=m",
            "X1 name=\"Phạm Văn Dũng\" born=1986-01-01 sex=m planning=no", "O1 name=\"Hoàng Văn Em\" born=1968-01-01 sex=m planning=yes",
            "F1 name=\"Vũ Thị Gấm\" born=1990-01-01 sex=f pregnant=yes", "F2 name=\"Đỗ Thị Hạnh\" born=1991-01-01 sex=f child_born=2025-01-01",
        ] {
            try await admin.send("CADRE ADD \(line) unit=P1 since=2020-01-01").expectOK()
        }
        try await admin.send("USER ADD org role=organizer unit=HN password=org-password-1").expectOK()
        try await admin.send("USER ADD orgp role=organizer unit=P1 password=orgp-password-1").expectOK()
        return admin
    }

    static func start() async throws -> (ServerHarness, ManualClock, TestClient) {
        let clock = ManualClock(moment("2026-03-02T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        _ = try await city(server)
        return (server, clock, try await server.client(as: "org", password: "org-password-1"))
    }

    @Test("Each kind's rules refuse a proposal naming the rule and the figures, and nothing is kept")
    func refusals() async throws {
        let (server, _, org) = try await Self.start()
        defer { server.stop() }
        func propose(_ text: String) async throws -> String { try await org.send("ROTATION PROPOSE \(text)").first ?? "" }
        #expect(try await propose("C1 kind=rotation to=P2 start=2026-04-01 months=24") == "ERR INVALID months: a rotation lasts at least 36 months, not 24")
        #expect(try await propose("X1 kind=rotation to=P2 start=2026-04-01 months=36") == "ERR CONFLICT cadre: planning: a rotation is only for a cadre in the planning pool")
        #expect(try await propose("O1 kind=rotation to=P2 start=2026-04-01 months=36").hasPrefix("ERR CONFLICT cadre: age: "))
        #expect(try await propose("O1 kind=rotation to=P2 start=2026-04-01 months=36").hasSuffix("months before the retirement age on 2026-04-01; a rotation needs at least 120"))
        #expect(try await propose("C3 kind=transfer to=P2 start=2026-04-01 months=12") == "ERR INVALID months: a transfer is for good: it has no end date")
        #expect(try await propose("C3 kind=secondment to=P2 start=2026-04-01") == "ERR INVALID months: required for a secondment: its length in months")
        #expect(try await propose("C3 kind=secondment to=P2 start=2026-04-01 months=40") == "ERR INVALID months: a secondment lasts at most 36 months, not 40")
        #expect(try await propose("F1 kind=secondment to=P2 start=2026-04-01 months=12") == "ERR CONFLICT cadre: pregnant: no secondment for a woman who is pregnant")
        #expect(try await propose("F2 kind=secondment to=P2 start=2026-04-01 months=12")
            == "ERR CONFLICT cadre: child_born: no secondment for a woman nursing a child under 36 months (born 2025-01-01)")
        #expect(try await propose("F2 kind=secondment to=P2 start=2028-01-02 months=12").hasPrefix("OK A"))
        #expect(try await propose("C3 kind=position-change to=P1 start=2026-04-01 months=12")
            == "ERR INVALID to: P1 is the cadre's own unit: the receiving unit must differ from the sending one")
        #expect(try await propose("C3 kind=transfer to=PN start=2026-04-01") == "ERR CONFLICT to: unit PN exists only from 2027-01-01: the receiving unit must exist on the start date 2026-04-01")
        #expect(try await propose("C3 kind=transfer to=NOWHERE start=2026-04-01") == "ERR NOTFOUND to: unit NOWHERE does not exist")
        #expect(try await propose("C3 kind=loan to=P2 start=2026-04-01").hasPrefix("ERR INVALID kind: loan is not one of rotation, transfer, secondment, position-change"))
        #expect(try await propose("NOBODY kind=transfer to=P2 start=2026-04-01") == "ERR NOTFOUND cadre: cadre NOBODY does not exist")
        let orgp = try await server.client(as: "orgp", password: "orgp-password-1")
        #expect(try await orgp.send("ROTATION PROPOSE C3 kind=transfer to=P2 start=2026-04-01").first == "ERR DENIED unit P2 is outside your scope")
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE workflow = 'assignment'") == 1)
        // Overlap: one cadre, one assignment at a time.
        #expect(try await propose("C1 kind=rotation to=P2 start=2026-04-01 months=36") == "OK A2 checked: rotation of C1 from P1 to P2, 2026-04-01 to 2029-04-01 (36 months)")
        #expect(try await propose("C1 kind=secondment to=SNV start=2028-01-01 months=6")
            == "ERR CONFLICT start: C1 has A2 (rotation 2026-04-01 to 2029-04-01, checked) at the same time: assignments of one cadre may not overlap")
        #expect(try await propose("C1 kind=secondment to=SNV start=2029-04-01 months=6").hasPrefix("OK A3 checked"))
        #expect(try await org.send("ROTATION REJECT A2").first == "ERR INVALID reason: required: say why")
        #expect(try await org.send("ROTATION REJECT A2 reason=\"Chưa đủ điều kiện\"").first == "OK A2 rejected")
        #expect(try await propose("C1 kind=secondment to=SNV start=2028-01-01 months=6").hasPrefix("OK A4 checked"))
    }

    @Test("A rotation: approved, in effect by its timer, the receiving unit assesses the cadre, extended, evaluation due, back home")
    func rotationLifecycle() async throws {
        let (server, clock, org) = try await Self.start()
        defer { server.stop() }
        #expect(try await org.send("ROTATION PROPOSE C1 kind=rotation to=P2 start=2026-04-01 months=36 position=\"Phó Bí thư Đảng ủy phường\" reason=\"Đào tạo cán bộ trẻ\"").first
            == "OK A1 checked: rotation of C1 from P1 to P2, 2026-04-01 to 2029-04-01 (36 months)")
        #expect(try await org.send("ROTATION APPROVE A1").first == "ERR INVALID decision: required: the decision's number, e.g. \"QĐ 45/QĐ-TU\"")
        #expect(try await org.send("ROTATION APPROVE A1 decision=\"QĐ 45/QĐ-TU\"").first == "OK A1 approved: QĐ 45/QĐ-TU of 2026-03-02; takes effect on 2026-04-01")
        #expect(try await org.send("ROTATION APPROVE A1 decision=x").first?.hasPrefix("ERR CONFLICT approve is not possible from state approved") == true)
        clock.set(Self.moment("2026-04-01T00:05:00+07:00"))
        #expect(try await server.engine.fireDueTimers() == TimerReport(fired: 1, dropped: 0))
        #expect(try server.count("SELECT count(*) FROM cadres WHERE code = 'C1' AND unit_code = 'P2' AND position = 'Phó Bí thư Đảng ủy phường'") == 1)
        #expect(try await org.send("ROTATION CANCEL A1 reason=x").first?.hasPrefix("ERR CONFLICT cancel is not possible from state in_effect") == true)
        let history = try await org.send("CADRE HISTORY C1").joined(separator: "\n")
        #expect(history.contains("rotation A1: QĐ 45/QĐ-TU"), "\(history)")
        // The next monthly cycle assesses C1 in the receiving unit.
        clock.set(Self.moment("2026-05-01T09:00:00+07:00"))
        try await org.send("CYCLE OPEN 2026-04 unit=HN").expectOK()
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE key = 'assessment/2026-04/C1' AND data->>'unit' = 'P2'") == 1)
        // Extended by a year, checked again; the evaluation follows the new end.
        #expect(try await org.send("ROTATION EXTEND A1 months=12").first == "OK A1 extended: now 48 months, until 2030-04-01")
        clock.set(Self.moment("2029-03-05T00:00:00+07:00"))
        try await server.engine.fireDueTimers()
        #expect(try await org.rows("ROTATION LIST").first?[8] == "extended")
        clock.set(Self.moment("2030-03-03T00:00:00+07:00"))
        try await server.engine.fireDueTimers()
        #expect(try await org.rows("ROTATION LIST").first?[8] == "evaluation_due")
        let report = try await org.rows("REPORT ROTATIONS ending_within=60")
        #expect(report.first { $0[0] == "rotation" }.map { [$0[6], $0[11]] } == ["1", "1"], "\(report)")
        #expect(try await org.send("ROTATION COMPLETE A1 outcome=maybe").first == "ERR INVALID outcome: return or stay, not maybe")
        #expect(try await org.send("ROTATION EVALUATE A1 result=\"Hoàn thành tốt nhiệm vụ\"").first == "OK A1 evaluated")
        #expect(try await org.send("ROTATION COMPLETE A1 outcome=return").first == "OK A1 completed: C1 is back in P1")
        #expect(try server.count("SELECT count(*) FROM cadres WHERE code = 'C1' AND unit_code = 'P1' AND position = 'Chuyên viên'") == 1)
        let shown = try await org.rows("ROTATION SHOW A1")
        #expect(shown.contains(["field", "result", "Hoàn thành tốt nhiệm vụ"]))
        #expect(shown.contains(["field", "state", "completed"]))
        #expect(shown.filter { $0[0] == "step" }.map { $0[1] } == ["create", "check", "approve", "take_effect", "extend", "raise_evaluation", "evaluate", "complete"])
    }

    @Test("A secondment extended past its limit is refused; kept for good; a transfer moves for good; cancellation before effect")
    func secondmentAndTransfer() async throws {
        let (server, clock, org) = try await Self.start()
        defer { server.stop() }
        try await org.send("ROTATION PROPOSE C2 kind=secondment to=SNV start=2026-04-01 months=24").expectOK()
        try await org.send("ROTATION APPROVE A1 decision=\"QĐ 7\"").expectOK()
        try await org.send("ROTATION PROPOSE C3 kind=transfer to=P2 start=2026-04-01").expectOK()
        try await org.send("ROTATION APPROVE A2 decision=\"QĐ 8\"").expectOK()
        try await org.send("ROTATION PROPOSE X1 kind=position-change to=SNV start=2026-05-01 months=24").expectOK()
        try await org.send("ROTATION APPROVE A3 decision=\"QĐ 9\"").expectOK()
        #expect(try await org.send("ROTATION CANCEL A3 reason=\"Thay đổi kế hoạch\"").first == "OK A3 cancelled")
        clock.set(Self.moment("2026-04-01T00:05:00+07:00"))
        #expect(try await server.engine.fireDueTimers() == TimerReport(fired: 2, dropped: 0))
        #expect(try await org.send("ROTATION SHOW A1").joined().contains("payroll_unit\tP1"))
        #expect(try await org.send("ROTATION EXTEND A1 months=13").first == "ERR INVALID months: a secondment lasts at most 36 months, not 37")
        #expect(try await org.send("ROTATION EXTEND A1 months=12").first == "OK A1 extended: now 36 months, until 2029-04-01")
        #expect(try await org.send("ROTATION EXTEND A2 months=12").first == "ERR CONFLICT A2 is a transfer: it has no end date to extend")
        #expect(try await org.send("ROTATION COMPLETE A2 outcome=return").first == "ERR INVALID outcome: a transfer is for good: complete it with outcome=stay")
        #expect(try server.count("SELECT count(*) FROM cadres WHERE code = 'C3' AND unit_code = 'P2'") == 1)
        #expect(try await org.send("ROTATION COMPLETE A1 outcome=stay").first == "OK A1 completed: C2 stays in SNV for good")
        #expect(try server.count("SELECT count(*) FROM cadres WHERE code = 'C2' AND unit_code = 'SNV'") == 1)
        let list = try await org.rows("ROTATION LIST")
        #expect(list.map { [$0[0], $0[3], $0[8]] } == [["A1", "secondment", "completed"], ["A2", "transfer", "in_effect"], ["A3", "position-change", "cancelled"]])
        #expect(try await org.rows("ROTATION LIST kind=transfer").map { $0[0] } == ["A2"])
        // A later assignment of the transferred cadre starts from the new unit.
        #expect(try await org.send("ROTATION PROPOSE C3 kind=secondment to=SNV start=2027-01-01 months=6").first?.hasPrefix("OK A4 checked: secondment of C3 from P2 to SNV") == true)
    }

    @Test("REPORT NONLOCAL: holders of a post whose hometown is not their unit's locality; a hometown in a commune merged into theirs is local")
    func nonlocal() async throws {
        let clock = ManualClock(Self.moment("2026-03-02T09:00:00+07:00"))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        defer { server.stop() }
        let admin = try await server.admin()
        for line in [
            "UNIT ADD HN name=\"Hà Nội\" locality=HN", "UNIT ADD XA name=\"Xã A\" parent=HN locality=XA", "UNIT ADD XB name=\"Xã B\" parent=HN locality=XB",
            "UNIT ADD XM name=\"Xã Mới\" parent=HN locality=XM valid_from=2025-07-01", "UNIT ADD XC name=\"Xã C\" parent=HN locality=XC",
            "UNIT ADD XD name=\"Xã D\" parent=HN locality=XD",
            "UNIT MERGE XA,XB into=XM date=2025-07-01 decision=\"Nghị quyết 1656/NQ-UBTVQH15\"",
            "CADRE ADD S1 name=\"Nguyễn Văn Một\" unit=XM position=\"Bí thư Đảng ủy xã\" hometown=XA",
            "CADRE ADD S2 name=\"Trần Văn Hai\" unit=XC position=\"Bí thư Đảng ủy xã\" hometown=XC",
            "CADRE ADD S3 name=\"Lê Văn Ba\" unit=XD position=\"Bí thư Đảng ủy xã\" hometown=XB",
            "CADRE ADD S4 name=\"Phạm Văn Bốn\" unit=XD position=\"Bí thư Đảng ủy xã\"",
            "CADRE ADD T1 name=\"Hoàng Văn Năm\" unit=XD position=\"Chủ tịch UBND xã\" hometown=XZ",
            "USER ADD org role=organizer unit=HN password=org-password-1",
        ] {
            try await admin.send(line).expectOK()
        }
        let org = try await server.client(as: "org", password: "org-password-1")
        let rows = try await org.rows("REPORT NONLOCAL position=\"Bí thư Đảng ủy xã\" unit=HN")
        let byUnit = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], Array($0[2...])) })
        #expect(byUnit["XM"] == ["1", "0", "0", "0.00%"])
        #expect(byUnit["XC"] == ["1", "0", "0", "0.00%"])
        #expect(byUnit["XD"] == ["2", "1", "1", "100.00%"])
        #expect(byUnit["(total)"] == ["4", "1", "1", "33.33%"])
        try await org.send("FORMAT json").expectJSONOK()
        let vi = try await org.send("REPORT NONLOCAL position=\"Bí thư Đảng ủy xã\" unit=HN locale=vi").first ?? ""
        #expect(vi.contains(#""text":"HN: 1/3 Bí thư Đảng ủy xã không phải người địa phương (33,33%)""#), "\(vi)")
        let chairs = try await org.send("REPORT NONLOCAL position=\"Chủ tịch UBND xã\" unit=HN").first ?? ""
        #expect(chairs.contains(#""text":"HN: 1/1 holders of Chủ tịch UBND xã are not local (100.00%)""#), "\(chairs)")
        #expect(try await org.send("REPORT NONLOCAL unit=HN").first?.contains("position: required") == true)
    }

    @Test("An assignment that can no longer take effect is dropped with its reason and stops no other timer; a return never undoes a later move")
    func refusedTimerAndLaterMove() async throws {
        let (server, clock, org) = try await Self.start()
        defer { server.stop() }
        try await org.send("ROTATION PROPOSE C3 kind=secondment to=P2 start=2026-04-01 months=12").expectOK()
        try await org.send("ROTATION APPROVE A1 decision=\"QĐ 1\"").expectOK()
        try await org.send("ROTATION PROPOSE C2 kind=secondment to=SNV start=2026-04-01 months=12").expectOK()
        try await org.send("ROTATION APPROVE A2 decision=\"QĐ 2\"").expectOK()
        // C3 moves elsewhere before the start: A1 can no longer take effect.
        try await org.send("CADRE MOVE C3 unit=SNV").expectOK()
        clock.set(Self.moment("2026-04-01T00:05:00+07:00"))
        #expect(try await server.engine.fireDueTimers() == TimerReport(fired: 1, dropped: 1))
        #expect(try server.count("SELECT count(*) FROM workflow_timer_log WHERE transition = 'take_effect' AND detail LIKE '%C3 works in SNV now, not in the sending unit P1%'") == 1)
        #expect(try await org.rows("ROTATION LIST").map { [$0[0], $0[8]] } == [["A1", "approved"], ["A2", "in_effect"]])
        // C2, seconded to SNV, is moved on from there: completing with a return would undo it.
        try await org.send("CADRE MOVE C2 unit=P2").expectOK()
        #expect(try await org.send("ROTATION COMPLETE A2 outcome=return").first
            == "ERR CONFLICT outcome: C2 works in P2 now, not in SNV: a later move would be undone; complete with outcome=stay")
        #expect(try await org.send("ROTATION COMPLETE A2 outcome=stay").first == "OK A2 completed: C2 stays in SNV for good")
        #expect(try await org.send("ROTATION PROPOSE C1 kind=transfer to=P2 start=2026-03-31").first == "ERR INVALID start: 2026-03-31 is in the past (today is 2026-04-01): an assignment starts today or later")
    }
}
