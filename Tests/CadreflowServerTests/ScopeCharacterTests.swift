import Foundation
import Testing

@Suite("Scope cannot leak through codes holding _, % or backslash")
struct ScopeCharacterTests {
    @Test("A manager or organizer of S_A (or S%A) reaches nothing of SXA at any command taking a unit or a cadre")
    func literalCodes() async throws {
        let server = try await ServerHarness.start()
        defer { server.stop() }
        let admin = try await server.admin()
        try await admin.send("UNIT ADD HN name=\"Hà Nội\"").expectOK()
        // Backslash cannot be in a code at all; it is refused by name wherever it arrives.
        let backslash = try await admin.send("UNIT ADD \"S\\\\A\" name=x parent=HN")
        #expect(backslash.first?.hasPrefix("ERR INVALID unit: S\\A is not a code") == true, "\(backslash)")
        for unit in ["S_A", "SXA", "S_AB", "SXA.1"] {
            try await admin.send("UNIT ADD \(unit) name=\"Đơn vị \(unit)\" parent=\(unit == "SXA.1" ? "SXA" : "HN")").expectOK()
            try await admin.send("CADRE ADD C_\(unit) name=\"Cán bộ \(unit)\" unit=\(unit)").expectOK()
        }
        try await admin.send("USER ADD man role=manager password=manager-pass unit=S_A").expectOK()
        try await admin.send("USER ADD org role=organizer password=organizer-pass unit=S_A").expectOK()
        let manager = try await server.client(as: "man", password: "manager-pass")
        let organizer = try await server.client(as: "org", password: "organizer-pass")
        for client in [manager, organizer] {
            #expect(try await client.rows("CADRE LIST").map { $0[0] } == ["C_S_A"])
            #expect(try await client.rows("UNIT LIST").map { $0[0] } == ["S_A"])
            #expect(try await client.send("CADRE LIST unit=SXA").first?.hasPrefix("ERR DENIED") == true)
            #expect(try await client.send("CADRE SHOW C_SXA").first?.hasPrefix("ERR DENIED") == true)
            #expect(try await client.send("CADRE SHOW C_S_AB").first?.hasPrefix("ERR DENIED") == true)
            #expect(try await client.send("CADRE HISTORY C_SXA").first?.hasPrefix("ERR DENIED") == true)
            #expect(try await client.send("UNIT SHOW SXA").first?.hasPrefix("ERR DENIED") == true)
            #expect(try await client.send("UNIT SHOW SXA.1").first?.hasPrefix("ERR DENIED") == true)
        }
        #expect(try await organizer.send("CADRE ADD C9 name=x unit=SXA").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await organizer.send("CADRE MOVE C_S_A unit=SXA").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await organizer.send("CADRE STATUS C_SXA status=retired").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await organizer.send("UNIT ADD S_A.9 name=x parent=SXA").first?.hasPrefix("ERR DENIED") == true)
        #expect(try await organizer.send("UNIT CLOSE SXA.1 date=2025-01-01 decision=x into=S_A").first?.hasPrefix("ERR DENIED") == true)
        let imported = try await organizer.upload("ORG IMPORT format=csv", ["type,code,name,parent,unit", "unit,S_A.1,x,S_A,", "cadre,C10,y,,SXA"])
        #expect(imported == ["ERR DENIED line 3: unit SXA is outside your scope"])
        let percent = try await organizer.upload("ORG IMPORT format=csv", ["type,code,name,parent,unit", "cadre,C11,y,,S%A"])
        #expect(percent.first?.hasPrefix("ERR INVALID line 2: unit: S%A is not a code") == true)
        // Quotes and backslashes in names are data, not SQL.
        try await organizer.send("CADRE ADD C12 name=\"O'Brien \\\\ \\\"Lan\\\" %_\" unit=S_A").expectOK()
        #expect(try await organizer.rows("CADRE SHOW C12").first?[1] == "O'Brien \\\\ \"Lan\" %_")
        #expect(try server.count("SELECT count(*) FROM cadres WHERE unit_code = 'SXA'") == 1)
        #expect(try server.count("SELECT count(*) FROM audit_log WHERE login = 'org' AND result LIKE '%ERR DENIED'") == 6)
    }
}
