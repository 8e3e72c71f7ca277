import CadreflowEngine
import CadreflowRules
import Foundation
import Testing

/// Competitive examinations through the protocol, as an organisation board runs them: a
/// post is announced, cadres register and are ruled on, papers are marked anonymously by
/// code, the council's defense scores arrive as files, the ranking is published and the
/// winner appointed.
@Suite("Examinations through the protocol")
struct ExamTests {
    static func moment(_ text: String) -> Date {
        FieldTime.parse(text, timeZone: ServerHarness.zone) ?? Date(timeIntervalSince1970: 0)
    }

    static let post = "Phó Giám đốc Sở Nội vụ"

    /// A city HN with the home-affairs department SNV and a ward HN.B; cadres C1…C5 in the
    /// planning pool, X1 outside it, D1 disciplined last year; an organizer over HN, one over
    /// HN.B only, a viewer over HN.
    static func city(_ server: ServerHarness) async throws -> TestClient {
        let admin = try await server.admin()
        try await admin.send("UNIT ADD HN name=\"Thành phố Hà Nội\"").expectOK()
        try await admin.send("UNIT ADD SNV name=\"Sở Nội vụ\" parent=HN").expectOK()
        try await admin.send("UNIT ADD HN.B name=\"Phường Ba Đình\" parent=HN").expectOK()
        let names = ["Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Hoa", "Phạm Minh Đức", "Hoàng Thị Thu"]
        for (index, name) in names.enumerated() {
            try await admin.send("CADRE ADD C\(index + 1) name=\"\(name)\" unit=HN.B position=\"Trưởng phòng\" level=staff born=1980-05-0\(index + 1) sex=\(index % 2 == 0 ? "f" : "m") planning=yes").expectOK()
        }
        try await admin.send("CADRE ADD X1 name=\"Vũ Văn Nam\" unit=HN.B born=1982-01-01 sex=m planning=no").expectOK()
        try await admin.send("CADRE ADD D1 name=\"Đỗ Văn Bình\" unit=HN.B born=1981-01-01 sex=m planning=yes").expectOK()
        try await admin.send("CADRE DISCIPLINE D1 year=2025 form=reprimand decision=\"QĐ 7/QĐ-KL\" date=2025-06-01").expectOK()
        try await admin.send("USER ADD org role=organizer unit=HN password=org-password-1").expectOK()
        try await admin.send("USER ADD orgb role=organizer unit=HN.B password=orgb-password-1").expectOK()
        try await admin.send("USER ADD view role=viewer unit=HN password=view-password-1").expectOK()
        return admin
    }

    static func start(_ at: String = "2026-03-02T09:00:00+07:00") async throws -> (ServerHarness, ManualClock, TestClient) {
        let clock = ManualClock(moment(at))
        let server = try await ServerHarness.start(definitions: try ServerHarness.builtInDefinitions(), clock: clock)
        _ = try await city(server)
        return (server, clock, try await server.client(as: "org", password: "org-password-1"))
    }

    /// An exam `code` for the SNV post taken to its written round with `candidates` sitting.
    static func written(_ org: TestClient, _ code: String, _ candidates: [String], options: String = "") async throws {
        try await org.send("EXAM CREATE \(code) post=\"\(post)\" unit=SNV \(options)").expectOK()
        try await org.send("EXAM ANNOUNCE \(code) deadline=2026-03-20").expectOK()
        for cadre in candidates {
            try await org.send("EXAM REGISTER \(code) \(cadre)").expectOK()
            try await org.send("EXAM ELIGIBLE \(code) \(cadre) yes").expectOK()
        }
        try await org.send("EXAM CLOSE \(code)").expectOK()
        try await org.send("EXAM START \(code)").expectOK()
    }

    /// The key as the database holds it (the test reads it as a marker's office would not).
    static func key(_ server: ServerHarness, _ exam: String) throws -> [String: String] {
        let rows = try server.database.connect().query("SELECT cadre_code, code FROM exam_papers WHERE exam = $1", exam).rows
        var key: [String: String] = [:]
        for row in rows { key[try row.decode(0)] = try row.decode(1) }
        return key
    }

    static func show(_ org: TestClient, _ exam: String) async throws -> [String: [String: String]] {
        let reply = try await org.send("EXAM SHOW \(exam)")
        guard reply.count > 2 else { return [:] }
        let header = reply[1].components(separatedBy: "\t")
        var rows: [String: [String: String]] = [:]
        for line in reply.dropFirst(2).dropLast() {
            let fields = line.components(separatedBy: "\t")
            rows[fields[0]] = Dictionary(uniqueKeysWithValues: zip(header, fields).map { ($0, $1) })
        }
        return rows
    }

    @Test("A whole exam with three candidates: registered with checks, ruled, anonymous marks revealed at the last paper, defense, ranking, appointment with history, report")
    func wholeExam() async throws {
        let (server, _, org) = try await Self.start()
        defer { server.stop() }
        #expect(try await org.send("EXAM CREATE E1 post=\"\(Self.post)\" unit=SNV").first
            == "OK E1 draft: deputy post \"Phó Giám đốc Sở Nội vụ\" of SNV; at least 2 candidates, written 50% + defense 50%, pass mark 50 in each round, planning pool required")
        #expect(try await org.send("EXAM CREATE E1 post=x unit=SNV").first == "ERR CONFLICT exam: exam E1 exists already")
        #expect(try await org.send("EXAM CREATE E9 post=x unit=NOPE").first == "ERR NOTFOUND unit: unit NOPE does not exist")
        #expect(try await org.send("EXAM CREATE E9 post=x unit=SNV written_weight=120").first == "ERR INVALID written_weight: a whole number 0–100, not 120")
        #expect(try await org.send("EXAM REGISTER E1 C1").first == "ERR CONFLICT exam E1 is draft: registering needs it registration")
        #expect(try await org.send("EXAM ANNOUNCE E1 deadline=2026-02-01").first == "ERR INVALID deadline: 2026-02-01 is in the past (today is 2026-03-02)")
        #expect(try await org.send("EXAM ANNOUNCE E1 deadline=2026-03-20").first == "OK E1 registration: registration open until 2026-03-20 (closes by itself the day after)")

        for cadre in ["C1", "C2", "C3"] {
            #expect(try await org.send("EXAM REGISTER E1 \(cadre)").first == "OK \(cadre) registered for E1; checks passed (EXAM ELIGIBLE E1 \(cadre) yes|no rules)")
        }
        #expect(try await org.send("EXAM REGISTER E1 C1").first == "ERR CONFLICT cadre: C1 is registered for E1 already")
        #expect(try await org.send("EXAM REGISTER E1 X1").first == "OK X1 registered for E1; checks failed: planning: not in the planning pool (EXAM ELIGIBLE E1 X1 yes|no rules)")
        #expect(try await org.send("EXAM REGISTER E1 D1").first?.contains("checks failed: discipline: disciplined on 2025-06-01, within 2 years") == true)
        #expect(try await org.send("EXAM REGISTER E1 NOBODY").first == "ERR NOTFOUND cadre: cadre NOBODY does not exist")
        // Ruling: no needs a reason; yes over a failed check needs one and is an override.
        #expect(try await org.send("EXAM ELIGIBLE E1 X1 no").first == "ERR INVALID reason: required: say why the candidate is not eligible")
        #expect(try await org.send("EXAM ELIGIBLE E1 X1 no reason=\"Chưa được quy hoạch\"").first == "OK X1 not eligible for E1")
        #expect(try await org.send("EXAM ELIGIBLE E1 D1 yes").first?.hasPrefix("ERR INVALID reason: required to override the failed checks") == true)
        #expect(try await org.send("EXAM ELIGIBLE E1 D1 yes reason=\"Kỷ luật đã được xóa\"").first?.hasPrefix("OK D1 eligible for E1, overriding the failed checks") == true)
        #expect(try await org.send("EXAM ELIGIBLE E1 D1 no reason=\"Rút hồ sơ\"").first == "OK D1 not eligible for E1")
        // Starting needs everyone ruled.
        #expect(try await org.send("EXAM CLOSE E1").first == "OK E1 closed")
        #expect(try await org.send("EXAM START E1").first?.contains("3 candidates are not ruled yet: C1, C2, C3") == true)
        for cadre in ["C1", "C2", "C3"] { try await org.send("EXAM ELIGIBLE E1 \(cadre) yes").expectOK() }
        #expect(try await org.send("EXAM START E1").first == "OK E1 written: 3 paper codes drawn (EXAM PAPERS E1 lists them for the markers)")
        #expect(try await org.send("EXAM ELIGIBLE E1 C1 no reason=late").first == "ERR CONFLICT exam E1 is written: ruling on candidates needs it closed or registration")

        let key = try Self.key(server, "E1")
        let papers = try await org.rows("EXAM PAPERS E1")
        #expect(papers.map { $0[0] } == key.values.sorted())
        #expect(papers.allSatisfy { PaperCode.isWellFormed($0[0]) && $0[1].isEmpty })
        guard let c1 = key["C1"], let c2 = key["C2"], let c3 = key["C3"] else { Issue.record("no codes: \(key)"); return }

        // Marks by code; until the last paper, nobody sees a name with a mark.
        #expect(try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score", "E1,\(c1),82", "E1,\(c2.lowercased()),\"74,5\""]).first
            == "OK imported 2 written marks for 1 exam")
        #expect(try await Self.show(org, "E1").values.allSatisfy { $0["written"] == "" })
        #expect(try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score", "E1,\(c3),45"]).first
            == "OK imported 1 written mark for 1 exam; every paper marked, names revealed and the defense round open: E1")
        var shown = try await Self.show(org, "E1")
        #expect(shown["C1"]?["written"] == "82")
        #expect(shown["C2"]?["written"] == "74.5")
        #expect(shown["C3"]?["written"] == "45")
        #expect(shown["C3"]?["passed"] == "no")
        #expect(shown["X1"]?["eligible"] == "no")
        let showText = try await org.send("EXAM SHOW E1").joined(separator: "\n")
        #expect(!key.values.contains { showText.contains($0) }, "EXAM SHOW never shows a paper code")
        #expect(showText.hasPrefix("DATA"))

        // The council of three scores C1 and C2; C3 has no defense round.
        #expect(try await org.send("EXAM PUBLISH E1").first == "ERR CONFLICT publish refused: no defense scores yet for C1, C2 (EXAM IMPORT defense format=csv)")
        let council = ["Ủy viên Nguyễn Văn An", "Ủy viên Trần Thị Bích", "Ủy viên Lê Văn Cường"]
        let defense = ["exam,candidate,member,score"] + zip(council, [70, 75, 80]).map { "E1,C1,\($0),\($1)" } + zip(council, [90, 88, 86]).map { "E1,C2,\($0),\($1)" }
        #expect(try await org.upload("EXAM IMPORT defense format=csv", defense).first == "OK imported 6 defense scores for 1 exam")
        #expect(try await org.send("EXAM PUBLISH E1").first == "OK E1 published: C2 ranks first (EXAM APPOINT E1 decision=… appoints)")
        shown = try await Self.show(org, "E1")
        #expect(shown["C1"].map { [$0["defense"], $0["total"], $0["rank"], $0["passed"]] } == ["75", "78.5", "2", "yes"])
        #expect(shown["C2"].map { [$0["defense"], $0["total"], $0["rank"], $0["passed"]] } == ["88", "81.25", "1", "yes"])
        #expect(shown["C3"].map { [$0["defense"], $0["total"], $0["rank"], $0["passed"]] } == ["", "", "", "no"])
        #expect(try await org.send("EXAM CANCEL E1 reason=late").first?.hasPrefix("ERR CONFLICT cancel is not possible from state published") == true)

        // Appointment: the winner, by a decision; the cadre's post, unit and history change.
        #expect(try await org.send("EXAM APPOINT E1").first == "ERR INVALID decision: required: the appointment decision (e.g. \"QĐ 123/QĐ-UBND\")")
        #expect(try await org.send("EXAM APPOINT E1 cadre=C1 decision=x").first == "ERR CONFLICT cadre: C1 is not the winner: C2 ranks first")
        #expect(try await org.send("EXAM APPOINT E1 decision=\"QĐ 123/QĐ-UBND\" date=2026-03-02").first
            == "OK E1 appointed: C2 holds \"Phó Giám đốc Sở Nội vụ\" in SNV from 2026-03-02 (QĐ 123/QĐ-UBND)")
        let history = try await org.send("CADRE HISTORY C2").joined(separator: "\n")
        #expect(history.contains("appointed after exam E1: QĐ 123/QĐ-UBND"))
        #expect(history.contains(Self.post))
        #expect(try server.count("SELECT count(*) FROM cadres WHERE code = 'C2' AND unit_code = 'SNV' AND level = 'deputy'") == 1)

        let list = try await org.rows("EXAM LIST")
        #expect(list.map { [$0[0], $0[1], $0[8]] } == [["E1", "appointed", "C2"]])
        let view = try await server.client(as: "view", password: "view-password-1")
        let report = try await view.send("REPORT EXAMS unit=HN")
        #expect(report.last == "END")
        #expect(report.contains { $0.hasPrefix("SNV\tSở Nội vụ\t1\t1\t0\t0\t0\t3\t2\t66.7%\t2\t66.7%") }, "\(report)")
        try await view.send("FORMAT json").expectJSONOK()
        let vi = try await view.send("REPORT EXAMS unit=HN locale=vi").first ?? ""
        #expect(vi.contains("\"text\":\"HN: 1/1 chức danh đã hoàn thành thi tuyển, 0 đang tổ chức, 0 chưa tổ chức; 3 thí sinh dự thi, 2 đạt cả hai vòng (66,7%)\""), "\(vi)")
        #expect(try await view.send("EXAM CREATE E5 post=x unit=SNV").first?.contains("DENIED") == true)
    }
}

extension [String] {
    func expectJSONOK(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(first?.hasPrefix("{\"ok\":true") == true, "expected ok, got \(self)", sourceLocation: sourceLocation)
    }
}
