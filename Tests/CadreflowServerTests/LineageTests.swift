import Foundation
import Testing

@Suite("Units with history: merges, splits, renames, closes; cadre work history")
struct LineageTests {
    /// A small city before the reform: district HK with communes HB and HG (with cadres), district BD with commune DB.
    private func city(_ server: ServerHarness) async throws -> TestClient {
        let admin = try await server.admin()
        let reply = try await admin.upload("ORG IMPORT format=csv", [
            "type,code,name,parent,kind,valid_from,unit,position,level,since",
            "unit,HN,Thành phố Hà Nội,,city,,,,,",
            "unit,HK,Quận Hoàn Kiếm,HN,quận,,,,,",
            "unit,HK.HANGBAC,Phường Hàng Bạc,HK,phường,,,,,",
            "unit,HK.HANGGAI,Phường Hàng Gai,HK,phường,,,,,",
            "unit,BD,Quận Ba Đình,HN,quận,,,,,",
            "unit,BD.DIENBIEN,Phường Điện Biên,BD,phường,,,,,",
            "cadre,CB1,Nguyễn Thị Lan,,,,HK.HANGBAC,Bí thư Đảng ủy,head,2020-01-15",
            "cadre,CB2,Trần Văn Hùng,,,,HK.HANGGAI,Chủ tịch UBND,head,2021-03-01",
            "cadre,CB3,Lê Minh Đức,,,,HK,Chuyên viên,staff,2019-09-01",
            "cadre,CB4,Phạm Thu Hà,,,,BD.DIENBIEN,Chuyên viên,staff,2018-01-01",
        ])
        #expect(reply == ["OK imported 10 rows (6 units, 4 cadres)"])
        return admin
    }

    @Test("The 1 July 2025 reform as one import of lineage events; the tree before and after; cadres follow with history")
    func reformByImport() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await city(server)
        let reform = try await admin.upload("ORG IMPORT format=csv", [
            "type,code,name,parent,kind,valid_from,from,into,date,decision",
            "unit,P_HOANKIEM,Phường Hoàn Kiếm,HN,phường,2025-07-01,,,,",
            "unit,P_BADINH,Phường Ba Đình,HN,phường,2025-07-01,,,,",
            "merge,P_HOANKIEM,,,,,HK.HANGBAC;HK.HANGGAI;BD.DIENBIEN,,2025-07-01,Nghị quyết 1656/NQ-UBTVQH15",
            "merge,P_BADINH,,,,,BD.DIENBIEN,,2025-07-01,Nghị quyết 1656/NQ-UBTVQH15",
            "close,HK,,,,,,P_HOANKIEM,2025-07-01,Kết thúc cấp huyện",
            "close,BD,,,,,,P_BADINH,2025-07-01,Kết thúc cấp huyện",
        ])
        #expect(reform == ["OK imported 6 rows (2 units, 0 cadres, 4 lineage events; 4 cadres moved by them)"])
        // The tree as it stood before and after.
        let before = try await admin.rows("UNIT LIST at=2025-06-30").map { $0[0] }
        #expect(before == ["HN", "BD", "BD.DIENBIEN", "HK", "HK.HANGBAC", "HK.HANGGAI"])
        let after = try await admin.rows("UNIT LIST at=2025-07-01").map { $0[0] }
        #expect(after == ["HN", "P_BADINH", "P_HOANKIEM"])
        #expect(try await admin.rows("UNIT LIST").map { $0[0] } == after)
        #expect(try await admin.rows("UNIT LIST all=yes").count == 8)
        // Lineage both ways; a unit that existed only before the reform still answers.
        let old = try #require(try await admin.rows("UNIT SHOW BD.DIENBIEN").first)
        #expect(old[7] == "2025-07-01")
        #expect(old[9] == "P_HOANKIEM (merge 2025-07-01), P_BADINH (merge 2025-07-01)")
        let new = try #require(try await admin.rows("UNIT SHOW P_HOANKIEM").first)
        #expect(new[8].contains("HK.HANGBAC (merge 2025-07-01)") && new[8].contains("HK (close 2025-07-01)"))
        // Cadres moved to the successor (a split commune's cadres to the first event naming it), with history.
        #expect(try await admin.rows("CADRE SHOW CB4").first?[2] == "P_HOANKIEM")
        #expect(try await admin.rows("CADRE SHOW CB3").first?[2] == "P_HOANKIEM")
        let history = try await admin.rows("CADRE HISTORY CB1")
        #expect(history.map { [$0[1], $0[2], $0[3], $0[5]] } == [
            ["2020-01-15", "2025-07-01", "HK.HANGBAC", "Bí thư Đảng ủy"],
            ["2025-07-01", "", "P_HOANKIEM", "Bí thư Đảng ủy"],
        ])
        #expect(history.last?[7] == "merge: Nghị quyết 1656/NQ-UBTVQH15")
    }

    @Test("UNIT MERGE, SPLIT, RENAME, CLOSE by command: dates, decisions, refusals that change nothing")
    func lineageCommands() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await city(server)
        try await admin.send("UNIT ADD P_HOANKIEM name=\"Phường Hoàn Kiếm\" parent=HN valid_from=2025-07-01").expectOK()
        // Refusals first: each names what is wrong and changes nothing.
        let refusals: [(String, String)] = [
            ("UNIT MERGE HK.HANGBAC,HK.HANGGAI into=P_HOANKIEM date=2025-07-01", "ERR INVALID decision: required (the decision's number and date)"),
            ("UNIT MERGE HK.HANGBAC,NOWHERE into=P_HOANKIEM date=2025-07-01 decision=NQ", "ERR NOTFOUND unit NOWHERE does not exist"),
            ("UNIT MERGE HK.HANGBAC into=P_HOANKIEM date=2025-06-01 decision=NQ", "ERR CONFLICT unit P_HOANKIEM exists only from 2025-07-01, after 2025-06-01"),
            ("UNIT MERGE HK.HANGBAC into=P_HOANKIEM date=2099-07-01 decision=NQ", "ERR INVALID date: 2099-07-01 is in the future: record a change on or after the day it takes effect"),
            ("UNIT CLOSE HK date=2025-07-01 decision=NQ", "ERR CONFLICT unit HK still has HK.HANGBAC under it after 2025-07-01: merge or close HK.HANGBAC first"),
        ]
        for (line, expected) in refusals {
            let reply = try await admin.send(line)
            #expect(reply == [expected], "\(line) → \(reply)")
        }
        #expect(try server.count("SELECT count(*) FROM unit_events") == 0)
        #expect(try await admin.send("UNIT MERGE HK.HANGBAC,HK.HANGGAI into=P_HOANKIEM date=2025-07-01 decision=\"NQ 1656\"")
            == ["OK HK.HANGBAC,HK.HANGGAI merged into P_HOANKIEM on 2025-07-01; 2 cadres moved"])
        #expect(try await admin.send("UNIT CLOSE HK date=2025-07-01 decision=\"NQ 1656\"").first?.hasPrefix("ERR CONFLICT HK has 1 cadres") == true)
        #expect(try await admin.send("UNIT CLOSE HK date=2025-07-01 decision=\"NQ 1656\" into=P_HOANKIEM")
            == ["OK HK closed on 2025-07-01; 1 cadres moved to P_HOANKIEM"])
        #expect(try await admin.send("UNIT MERGE HK.HANGBAC into=P_HOANKIEM date=2025-08-01 decision=again") == ["ERR CONFLICT unit HK.HANGBAC closed on 2025-07-01 already"])
        try await admin.send("UNIT ADD X_A name=\"Xã A\" parent=HN valid_from=2025-08-01").expectOK()
        try await admin.send("UNIT ADD X_B name=\"Xã B\" parent=HN valid_from=2025-08-01").expectOK()
        #expect(try await admin.send("UNIT SPLIT BD.DIENBIEN into=X_A,X_B date=2025-08-01 decision=\"QĐ 5\"")
            == ["OK BD.DIENBIEN split into X_A,X_B on 2025-08-01; 1 cadres moved to X_A"])
        #expect(try await admin.send("UNIT RENAME X_A name=\"Xã Ánh Dương\" date=2025-09-01 decision=\"QĐ 9\"").first?.hasPrefix("OK X_A renamed Xã A → Xã Ánh Dương") == true)
        #expect(try await admin.rows("UNIT LIST at=2025-08-15").first { $0[0] == "X_A" }?[1] == "Xã A")
        #expect(try await admin.rows("UNIT LIST at=2025-09-01").first { $0[0] == "X_A" }?[1] == "Xã Ánh Dương")
        #expect(try await admin.rows("UNIT SHOW X_A").first?[10] == "Xã A → Xã Ánh Dương (2025-09-01)")
        // History is append-only.
        let connection = try server.database.connect()
        #expect(throws: (any Error).self) { try connection.query("DELETE FROM unit_events") }
        #expect(throws: (any Error).self) { try connection.query("UPDATE unit_lineage SET successor = 'HN'") }
    }

    @Test("CADRE MOVE, STATUS and DISCIPLINE: history entries, leave dates, measures, retirement day")
    func cadreRecords() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await city(server)
        #expect(try await admin.send("CADRE MOVE CB4 unit=HK.HANGGAI date=2024-05-02 position=\"Phó Chủ tịch UBND\" level=deputy reason=\"điều động\"")
            == ["OK CB4 BD.DIENBIEN -> HK.HANGGAI"])
        let history = try await admin.rows("CADRE HISTORY CB4")
        #expect(history.map { [$0[0], $0[1], $0[2], $0[3], $0[5], $0[6], $0[7]] } == [
            ["work", "2018-01-01", "2024-05-02", "BD.DIENBIEN", "Chuyên viên", "staff", "imported"],
            ["work", "2024-05-02", "", "HK.HANGGAI", "Phó Chủ tịch UBND", "deputy", "điều động"],
        ])
        try await admin.send("CADRE STATUS CB4 status=on_leave from=2026-01-01 until=2026-06-30").expectOK()
        #expect(try await admin.send("CADRE STATUS CB4 status=active from=2026-01-01") == ["ERR INVALID from: leave dates need status=on_leave"])
        try await admin.send("CADRE DISCIPLINE CB4 year=2025 form=warning decision=\"QĐ 12-QĐ/UBKT\" date=2025-11-20").expectOK()
        #expect(try await admin.send("CADRE DISCIPLINE CB4 year=2025 form=scolding decision=x date=2025-11-20").first?.hasPrefix("ERR INVALID form: scolding is not one of reprimand") == true)
        #expect(try await admin.rows("CADRE HISTORY CB4").last == ["discipline", "2025-11-20", "", "", "", "warning", "2025", "QĐ 12-QĐ/UBKT"])
        try await admin.send("CADRE ADD CB9 name=\"Vũ Thị Mai\" unit=HK.HANGGAI sex=f born=1970-06-10 pregnant=no child_born=2024-03-01").expectOK()
        let mai = try #require(try await admin.rows("CADRE SHOW CB9").first)
        #expect(mai[1] == "Vũ Thị Mai")
        #expect(mai[14] == "2024-03-01")
        #expect(mai[15] == "2027-10-10")
        let shown = try #require(try await admin.rows("CADRE SHOW CB4").first)
        #expect(shown[10] == "on_leave" && shown[11] == "2026-01-01" && shown[12] == "2026-06-30")
    }
}
