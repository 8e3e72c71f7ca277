import Foundation
import Testing

@Suite("Organisation commands and ORG IMPORT")
struct OrganisationTests {
    private func upload(_ client: TestClient, _ command: String, _ lines: [String]) async throws -> [String] {
        try await client.upload(command, lines)
    }

    @Test("ORG IMPORT: units (children before parents too) and cadres arrive together")
    func importTree() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        let reply = try await upload(admin, "ORG IMPORT format=csv", [
            "type,code,name,parent,unit,born,sex,planning,position",
            "unit,BD1,\"Phường Trúc Bạch, Ba Đình\",BD,,,,,",
            "unit,HN,Thành phố Hà Nội,,,,,,",
            "unit,BD,Quận Ba Đình,HN,,,,,",
            "cadre,CB1,Nguyễn Văn An,,BD1,1980-02-29,m,yes,Bí thư",
            "cadre,CB2,\"Trần Thị \"\"Bình\"\"\",,BD,1990-12-01,f,no,",
        ])
        #expect(reply == ["OK imported 5 rows (3 units, 2 cadres)"])
        let unit = try await admin.send("UNIT SHOW BD1")
        #expect(unit[2].contains("\tHN/BD/BD1\t"))
        #expect(unit[2].contains("Phường Trúc Bạch, Ba Đình"))
        let cadre = try await admin.send("CADRE SHOW CB2")
        #expect(cadre[2].hasPrefix("CB2\tTrần Thị \"Bình\"\tBD"))
    }

    @Test("ORG IMPORT is all or nothing; errors name the lines")
    func importErrors() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        try await admin.send("UNIT ADD HN name=\"Hà Nội\"").expectOK()
        let invalid = try await upload(admin, "ORG IMPORT format=csv", [
            "type,code,name,parent,unit,born",
            "unit,A,Đơn vị A,HN,,",
            "cadre,C1,Lê Văn C,,A,1990-02-30",
            "cadre,C2,,,A,",
            "thing,X,y,,,",
        ])
        #expect(invalid.first?.hasPrefix("ERR INVALID line 3: born: 1990-02-30 is not a date") == true)
        #expect(invalid.first?.contains("line 4: name: required") == true)
        #expect(invalid.first?.contains("line 5: type: thing is not one of unit, cadre, merge, split, rename, close") == true)
        let orphan = try await upload(admin, "ORG IMPORT format=csv", ["type,code,name,parent,unit", "unit,A,A,HN,", "unit,B,B,NOWHERE,"])
        #expect(orphan == ["ERR NOTFOUND line 3: parent unit NOWHERE of B does not exist (or the parents form a loop)"])
        let clash = try await upload(admin, "ORG IMPORT format=csv", ["type,code,name,parent,unit", "unit,Z,Z,HN,", "unit,HN,again,,"])
        #expect(clash == ["ERR CONFLICT line 3: unit HN exists already"])
        let badHeader = try await upload(admin, "ORG IMPORT format=csv", ["type,code,name,colour"])
        #expect(badHeader.first?.hasPrefix("ERR INVALID line 1: unknown column colour") == true)
        #expect(try server.count("SELECT count(*) FROM units") == 1)
        #expect(try server.count("SELECT count(*) FROM cadres") == 0)
    }

    @Test("An organizer imports only inside its subtree")
    func importScope() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        for line in ["UNIT ADD HN name=HN", "UNIT ADD BD name=BD parent=HN", "UNIT ADD TX name=TX parent=HN", "USER ADD org role=organizer password=org-password unit=BD"] {
            try await admin.send(line).expectOK()
        }
        let organizer = try await server.client(as: "org", password: "org-password")
        let outside = try await upload(organizer, "ORG IMPORT format=csv", ["type,code,name,parent,unit", "unit,BD1,x,BD,", "cadre,C9,y,,TX"])
        #expect(outside == ["ERR DENIED line 3: unit TX is outside your scope"])
        let inside = try await upload(organizer, "ORG IMPORT format=csv", ["type,code,name,parent,unit", "unit,BD1,x,BD,", "cadre,C9,y,,BD1"])
        #expect(inside == ["OK imported 2 rows (1 units, 1 cadres)"])
        #expect(try await organizer.send("CADRE MOVE C9 unit=TX").first?.hasPrefix("ERR DENIED") == true)
        try await organizer.send("CADRE MOVE C9 unit=BD").expectOK()
    }

    @Test("20,000 rows import in one upload")
    func largeImport() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        var lines = ["type,code,name,parent,unit,born", "unit,HN,Hà Nội,,,"]
        lines += (0..<100).map { "unit,U\($0),Đơn vị \($0),HN,," }
        lines += (0..<19_899).map { "cadre,C\($0),Cán bộ \($0),,U\($0 % 100),1985-01-01" }
        let started = ContinuousClock.now
        let reply = try await upload(admin, "ORG IMPORT format=csv", lines)
        #expect(reply == ["OK imported 20000 rows (101 units, 19899 cadres)"])
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(try server.count("SELECT count(*) FROM cadres") == 19_899)
    }

    @Test("idem=<key>: a repeated state-changing command returns the first reply and changes nothing")
    func idempotentCommands() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        #expect(try await admin.send("UNIT ADD HN name=\"Hà Nội\" idem=k1") == ["OK HN"])
        let reconnected = try await server.admin()
        #expect(try await reconnected.send("UNIT ADD HN name=\"Hà Nội\" idem=k1") == ["OK HN"])
        #expect(try await reconnected.send("UNIT ADD HN name=\"Hà Nội\"").first?.hasPrefix("ERR CONFLICT") == true)
        #expect(try await reconnected.send("UNIT ADD BD name=x parent=HN idem=k1").first?.hasPrefix("ERR CONFLICT idem=k1 was used for another command") == true)
        #expect(try server.count("SELECT count(*) FROM units") == 1)
    }
}
