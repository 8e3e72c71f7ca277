import Foundation
import Testing
@testable import CadreflowDemo

/// The bundled reference and one 20,000-cadre plan, built once for all tests.
private enum Fixture {
    static let reference = Result { try HanoiReference.bundled() }
    static let plan = Result { DemoCityPlan.make(cadres: 20_000, seed: 2025, reference: try reference.get()) }
}

/// The import file split into rows of named fields.
private struct ParsedImport {
    let header: [String]
    let rows: [[String: String]]

    init(_ lines: [String]) throws {
        let records = try DemoCSV.parse(lines.joined(separator: "\n") + "\n", file: "import.csv")
        header = records.first?.fields ?? []
        let columns = header
        rows = records.dropFirst().map { record in
            Dictionary(uniqueKeysWithValues: zip(columns, record.fields))
        }
        #expect(records.count == lines.count, "one record per line: no field spans lines")
        for record in records { #expect(record.fields.count == 23, "line \(record.line) has \(record.fields.count) fields") }
    }

    func rows(_ type: String) -> [[String: String]] { rows.filter { $0["type"] == type } }
}

private func isCode(_ text: String) -> Bool { text.wholeMatch(of: /[A-Za-z0-9_.\-]{1,64}/) != nil }
private func isLogin(_ text: String) -> Bool { text.wholeMatch(of: /[A-Za-z0-9_.@\-]{1,64}/) != nil }
private let oldKinds: Set<String> = ["phường", "xã", "thị trấn"]

@Suite("Demo city")
struct DemoCityPlanTests {
    @Test("The bundled reference has 30 districts, 526 old units, 126 new units and 794 links")
    func referenceCounts() throws {
        let reference = try Fixture.reference.get()
        #expect(reference.districts.count == 30)
        #expect(reference.oldUnits.count == 526)
        #expect(reference.newUnits.count == 126)
        #expect(reference.linkCount == 794)
        #expect(reference.newUnits.filter { $0.kind == "phường" }.count == 51)
        #expect(reference.newUnits.filter { $0.kind == "xã" }.count == 75)
        #expect(Dictionary(grouping: reference.districts, by: \.kind).mapValues(\.count) == ["quận": 12, "huyện": 17, "thị xã": 1])

        let codes = reference.oldUnits.map(\.code)
        #expect(Set(codes).count == 526)
        #expect(codes.allSatisfy(isCode))
        #expect(codes.contains("HOANKIEM.HANGBAC"))
        // thị trấn Yên Viên and xã Yên Viên (Gia Lâm) fold to the same code: the second gets `.2`.
        let yenVien = reference.oldUnits.filter { $0.name == "Yên Viên" && $0.districtCode == "GIALAM" }
        #expect(Set(yenVien.map(\.code)) == ["GIALAM.YENVIEN", "GIALAM.YENVIEN.2"])
        #expect(Set(yenVien.map(\.kind)) == ["thị trấn", "xã"])
        // The per-district counts of the GSO list.
        let perDistrict = Dictionary(grouping: reference.oldUnits, by: \.districtCode).mapValues(\.count)
        #expect(perDistrict["HOANKIEM"] == 18)
        #expect(perDistrict["CHUONGMY"] == 30)
        #expect(perDistrict["TAYHO"] == 8)
        let hoanKiem = try #require(reference.newUnits.first { $0.code == "P_HOANKIEM" })
        #expect(hoanKiem.predecessors.count == 14)
        #expect(hoanKiem.predecessors.first == "HOANKIEM.HANGBAC")
    }

    @Test("The same seed gives identical output; another seed gives different output")
    func determinism() throws {
        let reference = try Fixture.reference.get()
        let first = DemoCityPlan.make(cadres: 3_000, seed: 42, reference: reference)
        let second = DemoCityPlan.make(cadres: 3_000, seed: 42, reference: reference)
        let other = DemoCityPlan.make(cadres: 3_000, seed: 43, reference: reference)
        #expect(first.importLines == second.importLines)
        #expect(first.accounts == second.accounts)
        #expect(first.importLines != other.importLines)
        #expect(first.importLines.count == other.importLines.count)
    }

    @Test("Every row has 23 fields, and rows come in order: units, cadres, merges, closes")
    func layout() throws {
        let plan = try Fixture.plan.get()
        #expect(plan.importLines.first == "type,code,name,parent,kind,locality,valid_from,unit,position,level,hometown,born,sex,party_since,planning,status,pregnant,child_born,since,from,into,date,decision")
        let parsed = try ParsedImport(plan.importLines)
        let order = ["unit", "cadre", "merge", "close"]
        let ranks = parsed.rows.map { order.firstIndex(of: $0["type"] ?? "") ?? -1 }
        #expect(!ranks.contains(-1))
        #expect(ranks == ranks.sorted())
        #expect(parsed.rows("unit").count == plan.units)
        #expect(parsed.rows("cadre").count == 20_000)
        #expect(plan.cadres == 20_000)
        #expect(parsed.rows("merge").count + parsed.rows("close").count == plan.events)
        #expect(parsed.rows("merge").count == 126)
        #expect(parsed.rows("close").count == 30)
        let cadreCodes = parsed.rows("cadre").compactMap { $0["code"] }
        #expect(Set(cadreCodes).count == 20_000)
        #expect(cadreCodes.first == "CB000001")
        #expect(cadreCodes.last == "CB020000")
    }

    @Test("Every parent, unit, predecessor and successor is defined earlier in the file")
    func references() throws {
        let parsed = try ParsedImport(try Fixture.plan.get().importLines)
        var defined: Set<String> = []
        for row in parsed.rows {
            let code = row["code"] ?? ""
            switch row["type"] {
            case "unit":
                #expect(isCode(code), "unit code \(code)")
                let parent = row["parent"] ?? ""
                #expect(parent.isEmpty ? code == "HN" : defined.contains(parent), "parent of \(code)")
                #expect(defined.insert(code).inserted, "\(code) defined twice")
            case "cadre":
                #expect(defined.contains(row["unit"] ?? ""), "unit of \(code)")
                #expect(["head", "deputy", "staff"].contains(row["level"] ?? ""))
                #expect(["m", "f"].contains(row["sex"] ?? ""))
                #expect(["active", "on_leave"].contains(row["status"] ?? ""))
            case "merge":
                #expect(defined.contains(code), "merge successor \(code)")
                let from = (row["from"] ?? "").split(separator: ";").map(String.init)
                #expect(!from.isEmpty)
                for predecessor in from { #expect(defined.contains(predecessor), "predecessor \(predecessor) of \(code)") }
                #expect(row["date"] == "2025-07-01")
                #expect(row["decision"] == "Nghị quyết 1656/NQ-UBTVQH15 ngày 16/6/2025")
            case "close":
                #expect(defined.contains(code), "closed unit \(code)")
                #expect(defined.contains(row["into"] ?? ""), "successor of \(code)")
                #expect(row["date"] == "2025-07-01")
            default:
                Issue.record("unexpected row type \(row["type"] ?? "")")
            }
        }
    }

    @Test("Every old commune-level unit is a predecessor of at least one merge")
    func everyOldUnitMerges() throws {
        let parsed = try ParsedImport(try Fixture.plan.get().importLines)
        let predecessors = Set(parsed.rows("merge").flatMap { ($0["from"] ?? "").split(separator: ";").map(String.init) })
        let oldUnits = parsed.rows("unit").filter { oldKinds.contains($0["kind"] ?? "") && ($0["valid_from"] ?? "").isEmpty }
        #expect(oldUnits.count == 526)
        for unit in oldUnits { #expect(predecessors.contains(unit["code"] ?? ""), "\(unit["code"] ?? "") is never merged") }
        // About 85% of the cadres sit in the old communes, so the merges move them.
        let oldCodes = Set(oldUnits.compactMap { $0["code"] })
        let inOld = parsed.rows("cadre").filter { oldCodes.contains($0["unit"] ?? "") }.count
        #expect((16_500...17_500).contains(inOld))
    }

    @Test("Nguyễn is the family name of 33–43% of 20,000 cadres")
    func familyNames() throws {
        let parsed = try ParsedImport(try Fixture.plan.get().importLines)
        let names = parsed.rows("cadre").compactMap { $0["name"] }
        let nguyen = names.filter { VietnameseNames.familyName(of: $0) == "Nguyễn" }.count
        let share = Double(nguyen) / Double(names.count)
        #expect(share >= 0.33 && share <= 0.43, "Nguyễn share \(share)")
        let women = parsed.rows("cadre").filter { $0["sex"] == "f" }.count
        #expect((9_000...11_000).contains(women))
    }

    @Test("Every open unit gets a head account, and no dissolved unit does")
    func accounts() throws {
        let plan = try Fixture.plan.get()
        let parsed = try ParsedImport(plan.importLines)
        #expect(plan.accounts.first == DemoAccount(login: "tochuc.hanoi", role: "organizer", unit: "HN", isHead: false))
        let dissolved = Set(parsed.rows("close").compactMap { $0["code"] }
            + parsed.rows("merge").flatMap { ($0["from"] ?? "").split(separator: ";").map(String.init) })
        let open = Set(parsed.rows("unit").compactMap { $0["code"] }).subtracting(dissolved)
        #expect(open.count == 1 + 22 + 126)
        #expect(dissolved.count == 30 + 526)
        let heads = plan.accounts.filter(\.isHead)
        #expect(Set(heads.map(\.unit)) == open)
        #expect(heads.count == open.count)
        #expect(heads.allSatisfy { $0.role == "manager" && $0.login == "head." + $0.unit.lowercased() })
        #expect(Set(plan.accounts.map(\.login)).count == plan.accounts.count)
        #expect(plan.accounts.allSatisfy { isLogin($0.login) })
        #expect(heads.contains { $0.login == "head.p_hoankiem" })
    }

    @Test("Names are NFC and carry diacritics")
    func names() throws {
        let parsed = try ParsedImport(try Fixture.plan.get().importLines)
        let names = parsed.rows.compactMap { $0["name"] }.filter { !$0.isEmpty }
        #expect(names.allSatisfy { $0 == $0.precomposedStringWithCanonicalMapping })
        let withDiacritics = names.filter { $0.unicodeScalars.contains { !$0.isASCII } }.count
        #expect(Double(withDiacritics) / Double(names.count) > 0.95)
        #expect(parsed.rows("unit").contains { $0["code"] == "HOANKIEM.HANGBAC" && $0["name"] == "Hàng Bạc" })
        var generator = SplitMix64(seed: 1)
        let name = VietnameseNames.fullName(for: .female, using: &generator)
        #expect(name.split(separator: " ").count == 3)
    }

    @Test("Small and empty cities")
    func smallCities() throws {
        let reference = try Fixture.reference.get()
        let empty = DemoCityPlan.make(cadres: 0, seed: 1, reference: reference)
        #expect(empty.cadres == 0)
        #expect(!empty.importLines.contains { $0.hasPrefix("cadre,") })
        #expect(empty.importLines.count == 1 + empty.units + empty.events)
        let tiny = DemoCityPlan.make(cadres: 7, seed: 1, reference: reference)
        let cadres = tiny.importLines.filter { $0.hasPrefix("cadre,") }
        #expect(cadres.count == 7)
        #expect(cadres.allSatisfy { $0.contains(",head,") }, "the first cadre of each unit is its head")
    }

    @Test("CSV quoting and parsing follow RFC 4180; malformed files name file and line")
    func csv() throws {
        #expect(DemoCSV.quote("plain") == "plain")
        #expect(DemoCSV.quote("a, b") == "\"a, b\"")
        #expect(DemoCSV.quote("say \"hi\"") == "\"say \"\"hi\"\"\"")
        let records = try DemoCSV.parse("a,\"b, \"\"c\"\"\",\r\n\"x\ny\",z,\n", file: "t.csv")
        #expect(records.map(\.fields) == [["a", "b, \"c\"", ""], ["x\ny", "z", ""]])
        #expect(records.map(\.line) == [1, 2])
        #expect(VietnameseFolding.codePart("Đống Đa") == "DONGDA")
        #expect(VietnameseFolding.codePart("Cổ Nhuế 1") == "CONHUE1")

        let districts = "code,name,kind\nHOANKIEM,Hoàn Kiếm,quận\n"
        let units = "code,name,kind,formed_from,source\nP_A,A,phường,phường Hàng Bạc (Hoàn Kiếm),x\nP_B,B,phường,phường Hàng Bồ (Đống Đa),x\n"
        do {
            _ = try HanoiReference(districtsCSV: districts, unitsCSV: units)
            Issue.record("an unknown district must be an error")
        } catch let error as DemoDataError {
            #expect(error.file == "hanoi-units-2025.csv")
            #expect(error.line == 3)
            #expect(error.description.hasPrefix("hanoi-units-2025.csv:3: "))
        }
        #expect(throws: DemoDataError.self) {
            try HanoiReference(districtsCSV: "code,name\nX,Y\n", unitsCSV: units)
        }
    }
}
