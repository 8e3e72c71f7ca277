import CadreflowEngine
import CadreflowPostgres
import CadreflowRules
import Foundation
import Testing

/// Exam results files as markers and councils send them: every kind of bad row refused
/// naming its line, the same file twice, a disconnect mid-upload, and the anonymity rule.
@Suite("Exam results imports and anonymity")
struct ExamImportTests {
    @Test("Anonymity: no command joins codes and names before every mark is in; the audited KEY states a reason and the key is in no log")
    func anonymity() async throws {
        let (server, _, org) = try await ExamTests.start()
        defer { server.stop() }
        try await ExamTests.written(org, "E1", ["C1", "C2", "C3"])
        let key = try ExamTests.key(server, "E1")
        let codes = Set(key.values)
        #expect(codes.count == 3)
        guard let c1 = key["C1"] else { Issue.record("no code"); return }
        try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score", "E1,\(c1),60"]).expectOK()
        // Every reading command: codes never beside a name, marks never beside a name.
        for command in ["EXAM SHOW E1", "EXAM LIST", "EXAM PAPERS E1", "CADRE SHOW C1", "CADRE HISTORY C1", "HISTORY exam E1", "REPORT EXAMS unit=HN"] {
            let text = try await org.send(command).joined(separator: "\n")
            let namesShown = text.contains("Nguyễn Thị Lan") || text.contains("\tC1\t") || text.hasPrefix("C1\t") || text.contains("\nC1\t")
            #expect(!(namesShown && codes.contains { text.contains($0) }), "\(command) shows a code with a name")
            #expect(!(namesShown && text.contains("\t60")), "\(command) shows a mark with a name")
        }
        #expect(try await ExamTests.show(org, "E1").values.allSatisfy { $0["written"] == "" })
        // The emergency key: a reason is required; the sight is recorded, the key is not.
        #expect(try await org.send("EXAM KEY E1").first == "ERR INVALID reason: required: the emergency that needs the key (it is recorded)")
        let viewer = try await server.client(as: "view", password: "view-password-1")
        #expect(try await viewer.send("EXAM KEY E1 reason=x").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await viewer.send("EXAM PAPERS E1").first?.hasPrefix("ERR DENIED") == true)
        let orgb = try await server.client(as: "orgb", password: "orgb-password-1")
        #expect(try await orgb.send("EXAM KEY E1 reason=x").first == "ERR DENIED unit SNV is outside your scope")
        let disclosed = try await org.rows("EXAM KEY E1 reason=\"Thí sinh khiếu nại, Hội đồng yêu cầu đối chiếu\"")
        #expect(Set(disclosed.map { $0[0] }) == codes)
        #expect(disclosed.contains([c1, "C1", "Nguyễn Thị Lan"]))
        #expect(try server.count("SELECT count(*) FROM exam_key_disclosures WHERE exam = 'E1' AND login = 'org' AND papers = 3 AND reason LIKE 'Thí sinh khiếu nại%'") == 1)
        #expect(try server.count("SELECT count(*) FROM audit_log WHERE command LIKE 'EXAM KEY E1 reason=%' AND result = 'OK'") == 1)
        let logged = try server.database.connect().query(
            "SELECT coalesce(string_agg(command || ' ' || result, ' '), '') FROM audit_log"
        ).scalar(String.self) ?? ""
        #expect(!codes.contains { logged.contains($0) }, "a paper code is in the audit log")
        #expect(try server.count("SELECT count(*) FROM request_idempotency WHERE reply LIKE '%-%'") == 0)
        // After the last mark the names are revealed, marks are frozen, and KEY has nothing secret left.
        let rest = key.filter { $0.key != "C1" }.map { "E1,\($0.value),70" }
        try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score"] + rest).expectOK()
        #expect(try await org.send("EXAM KEY E1 reason=x").first == "ERR CONFLICT exam E1 is defense: the names are revealed, EXAM SHOW gives them with the marks")
        #expect(try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score", "E1,\(c1),95"]).first?.hasPrefix("ERR CONFLICT line 2: score: paper \(c1) has the mark 60 already") == true)
        #expect(throws: (any Error).self) { try server.database.connect().query("UPDATE exam_written_mark_sheets SET hundredths = '{9900}'") }
        // Below the import's checks, the database itself refuses a second mark for a paper.
        let twice = #expect(throws: PostgresError.self) {
            try server.database.connect().query(
                "INSERT INTO exam_written_mark_sheets (exam, import_id, papers, hundredths) SELECT 'E1', max(id) + 1, ARRAY[$1], '{9500}' FROM exam_imports", c1
            )
        }
        #expect(twice?.message.contains("has a written mark already") == true)
        #expect(try await ExamTests.show(org, "E1")["C1"]?["written"] == "60")
    }

    @Test("Every kind of bad written row is refused naming its line and field; nothing is stored; JSON lists every problem")
    func badWrittenRows() async throws {
        let (server, _, org) = try await ExamTests.start()
        defer { server.stop() }
        try await ExamTests.written(org, "E1", ["C1", "C2"])
        try await org.send("EXAM CREATE E2 post=\"Phó Chánh Văn phòng\" unit=SNV").expectOK()
        try await org.send("EXAM CREATE HB post=\"Phó Chủ tịch phường\" unit=HN.B").expectOK()
        let key = try ExamTests.key(server, "E1")
        guard let c1 = key["C1"], let c2 = key["C2"] else { Issue.record("no codes"); return }
        func upload(_ rows: [String], as client: TestClient? = nil) async throws -> String {
            try await (client ?? org).upload("EXAM IMPORT written format=csv", ["exam,paper,score"] + rows).first ?? ""
        }
        #expect(try await upload(["E1,\(c1),80", "E9,\(c2),70"]) == "ERR NOTFOUND line 3: exam E9 does not exist")
        #expect(try await upload(["E1,\(c1),80", "E1,AAAAA-BBBBB,70"]) == "ERR NOTFOUND line 3: paper: AAAAA-BBBBB is not a paper of exam E1")
        #expect(try await upload(["E1,\(c1),80", "E2,\(c2),70"]) == "ERR NOTFOUND line 3: paper: \(c2) is not a paper of exam E2")
        #expect(try await upload(["E1,\(c1),80", "E1,\(c2),100.5"]) == "ERR INVALID line 3: score 100.5 out of range 0..100")
        #expect(try await upload(["E1,\(c1),80", "E1,\(c2),70.125"]) == "ERR INVALID line 3: score 70.125 has more than two decimals")
        #expect(try await upload(["E1,\(c1),80", "E1,\(c1),80"]) == "ERR INVALID line 3: duplicate row: E1,\(c1) is on line 2 already")
        #expect(try await upload(["E1,\(c1)"]) == "ERR INVALID line 2: 2 fields, expected 3 (exam,paper,score)")
        #expect(try await org.upload("EXAM IMPORT written format=csv", ["exam,code,score", "E1,\(c1),80"]).first == "ERR INVALID line 1: header must be exam,paper,score, got exam,code,score")
        let orgb = try await server.client(as: "orgb", password: "orgb-password-1")
        #expect(try await upload(["E1,\(c1),80"], as: orgb) == "ERR DENIED line 2: exam E1 (unit SNV) is outside your scope")
        #expect(try await upload(["HB,\(c1),80"], as: orgb) == "ERR NOTFOUND line 2: paper: \(c1) is not a paper of exam HB")
        #expect(try server.count("SELECT count(*) FROM exam_written_marks") + server.count("SELECT count(*) FROM exam_imports") == 0)
        // Several problems: text shows the first three and the count, JSON all of them.
        // Unknown exams (and exams outside the scope) are reported alone: the other checks wait.
        let many = ["E1,\(c1),80", "E9,\(c2),70", "E1,ZZZZZ-ZZZZZ,1", "E8,\(c2),2", "E7,\(c2),3", "E6,\(c2),4"]
        #expect(try await upload(many) == "ERR NOTFOUND line 3: exam E9 does not exist; line 5: exam E8 does not exist; line 6: exam E7 does not exist (and 1 more; FORMAT json lists them all)")
        #expect(try await upload(["E1,\(c1),80", "E1,ZZZZZ-ZZZZZ,1", "E1,YYYYY-YYYYY,1"]) == "ERR NOTFOUND line 3: paper: ZZZZZ-ZZZZZ is not a paper of exam E1; line 4: paper: YYYYY-YYYYY is not a paper of exam E1")
        try await org.send("FORMAT json").expectJSONOK()
        func jsonUpload(_ rows: [String]) async throws -> String {
            #expect(try await org.send("EXAM IMPORT written format=csv").first?.hasPrefix(#"{"ok":true,"go":true"#) == true)
            try await org.sendRaw(Array((["exam,paper,score"] + rows + ["."]).joined(separator: "\n").appending("\n").utf8))
            return try await org.reply().first ?? ""
        }
        let json = try await jsonUpload(many + ["E1,\(c2),abc"])
        #expect(json == #"{"ok":false,"code":"INVALID","message":"line 8: score abc is not a number (write 75.5 or 75,5)"}"#)
        let all = try await jsonUpload(many)
        #expect(all.contains(#""errors":["line 3: exam E9 does not exist","line 5: exam E8 does not exist","line 6: exam E7 does not exist","line 7: exam E6 does not exist"]"#), "\(all)")
        _ = try await org.send("FORMAT text")
        // A paper of an exam past its written round, and a changed mark, are conflicts.
        try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score", "E1,\(c1),80", "E1,\(c2),40"]).expectOK()
        #expect(try await upload(["E1,\(c1),81"]) == "ERR CONFLICT line 2: score: paper \(c1) has the mark 80 already (imported 2026-03-02); marks never change")
        #expect(try await upload(["E1,\(c1),80"]).hasPrefix("OK imported 0 written marks for 1 exam (1 stored already with the same score)"))
    }

    @Test("Every kind of bad defense row: not a candidate, below the written pass mark, wrong state, another council, a candidate left out")
    func badDefenseRows() async throws {
        let (server, _, org) = try await ExamTests.start()
        defer { server.stop() }
        try await ExamTests.written(org, "E1", ["C1", "C2", "C3"])
        try await ExamTests.written(org, "E2", ["C4", "C5"])
        let key = try ExamTests.key(server, "E1")
        func defense(_ rows: [String]) async throws -> String {
            try await org.upload("EXAM IMPORT defense format=csv", ["exam,candidate,member,score"] + rows).first ?? ""
        }
        #expect(try await defense(["E1,C1,M1,80"]) == "ERR CONFLICT line 2: exam E1 is written: defense scores are imported during its defense round")
        try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score"] + key.map { "E1,\($0.value),\($0.key == "C3" ? 49.99 : 70)" }).expectOK()
        #expect(try await defense(["E1,C9,M1,80"]) == "ERR NOTFOUND line 2: candidate: C9 is not a candidate of exam E1")
        #expect(try await defense(["E1,C3,M1,80"]) == "ERR CONFLICT line 2: candidate: C3 has 49.99 in the written round, below the pass mark 50: no defense round")
        #expect(try await defense(["E2,C4,M1,80"]) == "ERR CONFLICT line 2: exam E2 is written: defense scores are imported during its defense round")
        #expect(try await defense(["E1,C1,M1,80", "E1,C1,M2,81", "E1,C2,M1,70", "E1,C2,M3,72"])
            == "ERR INVALID line 4: member: exam E1: C2 is scored by M1, M3, the others by M1, M2 (one council scores every candidate)")
        #expect(try await defense(["E1,C1,M1,80", "E1,C1,M2,81"]) == "ERR INVALID line 2: exam E1: C2 passed the written round and has no defense scores (the council is M1, M2)")
        #expect(try await defense(["E1,C1,M1,80", "E1,C1,M1,81"]) == "ERR INVALID line 3: duplicate row: E1,C1,M1 is on line 2 already")
        #expect(try server.count("SELECT count(*) FROM exam_defense_scores") == 0)
        #expect(try await defense(["E1,C1,M1,80", "E1,C1,M2,81", "E1,C2,M1,70", "E1,C2,M2,72"]) == "OK imported 4 defense scores for 1 exam")
        #expect(try await defense(["E1,C1,M1,80", "E1,C1,M2,82", "E1,C2,M1,70", "E1,C2,M2,72"]) == "ERR CONFLICT line 3: score: C1 has the score 81 from this member already; scores never change")
    }

    @Test("The same file twice changes nothing and says so; the same idem= returns the first reply; a disconnect mid-upload stores nothing")
    func reimportAndDisconnect() async throws {
        let (server, _, org) = try await ExamTests.start()
        defer { server.stop() }
        try await ExamTests.written(org, "E1", ["C1", "C2"])
        let key = try ExamTests.key(server, "E1")
        guard let c1 = key["C1"], let c2 = key["C2"] else { Issue.record("no codes"); return }
        // A client that drops the connection in the middle of the upload: nothing stored.
        let cut = try await server.client(as: "org", password: "org-password-1")
        #expect(try await cut.send("EXAM IMPORT written format=csv").first?.hasPrefix("GO") == true)
        try await cut.sendRaw(Array("exam,paper,score\nE1,\(c1),80\n".utf8))
        cut.close()
        try await Task.sleep(for: .milliseconds(200))
        #expect(try server.count("SELECT count(*) FROM exam_written_marks") == 0)
        #expect(try server.count("SELECT count(*) FROM exam_imports") == 0)

        let file = ["exam,paper,score", "E1,\(c1),80"]
        #expect(try await org.upload("EXAM IMPORT written format=csv", file).first == "OK imported 1 written mark for 1 exam")
        #expect(try await org.upload("EXAM IMPORT written format=csv", file).first?.hasPrefix("OK this written file (1 rows) was imported already on 2026-03-02") == true)
        #expect(try await org.upload("EXAM IMPORT written format=csv", file).first?.hasSuffix("by org; nothing changed") == true)
        #expect(try server.count("SELECT count(*) FROM exam_imports") == 1)
        let second = ["exam,paper,score", "E1,\(c2),66"]
        let first = try await org.upload("EXAM IMPORT written format=csv idem=marks-2", second).first
        #expect(first == "OK imported 1 written mark for 1 exam; every paper marked, names revealed and the defense round open: E1")
        #expect(try await org.upload("EXAM IMPORT written format=csv idem=marks-2", second).first == first)
        #expect(try server.count("SELECT count(*) FROM exam_written_marks") == 2)
        #expect(try server.count("SELECT count(*) FROM workflow_instances WHERE key = 'exam/E1' AND state = 'defense'") == 1)
    }

    @Test("Out of scope, an import tells nothing of the exam's papers, marks or candidates; a registration from outside the scope shows check names only")
    func scopeTellsNothing() async throws {
        let (server, _, org) = try await ExamTests.start()
        defer { server.stop() }
        try await ExamTests.written(org, "E1", ["C1", "C2"])
        let key = try ExamTests.key(server, "E1")
        try await org.upload("EXAM IMPORT written format=csv", ["exam,paper,score"] + key.map { "E1,\($0.value),\($0.key == "C1" ? 45 : 70)" }).expectOK()
        let orgb = try await server.client(as: "orgb", password: "orgb-password-1")
        #expect(try await orgb.upload("EXAM IMPORT defense format=csv", ["exam,candidate,member,score", "E1,C1,M1,50", "E1,C9,M1,50"]).first
            == "ERR DENIED line 2: exam E1 (unit SNV) is outside your scope; line 3: exam E1 (unit SNV) is outside your scope")
        let file = ["exam,paper,score"] + key.map { "E1,\($0.value),\($0.key == "C1" ? 45 : 70)" }
        #expect(try await orgb.upload("EXAM IMPORT written format=csv", file).first?.hasPrefix("ERR DENIED line 2: exam E1 (unit SNV) is outside your scope") == true)
        // An organizer of SNV registers a disciplined cadre of HN.B: which check failed, not the record.
        let admin = try await server.admin()
        try await admin.send("USER ADD orgs role=organizer unit=SNV password=orgs-password-1").expectOK()
        let orgs = try await server.client(as: "orgs", password: "orgs-password-1")
        try await orgs.send("EXAM CREATE E2 post=\"Phó Chánh Văn phòng\" unit=SNV").expectOK()
        try await orgs.send("EXAM ANNOUNCE E2").expectOK()
        #expect(try await orgs.send("EXAM REGISTER E2 D1").first == "OK D1 registered for E2; checks failed: discipline (EXAM ELIGIBLE E2 D1 yes|no rules)")
        #expect(try await ExamTests.show(orgs, "E2")["D1"]?["checks"] == "discipline")
    }
}
