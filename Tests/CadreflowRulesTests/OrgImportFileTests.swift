import CadreflowRules
import Testing

@Suite("ORG IMPORT files and lineage events, checked without a database")
struct OrgImportFileTests {
    private let header = ["type", "code", "name", "parent", "unit", "from", "into", "date", "decision"]

    private func record(_ line: Int, _ fields: [String]) -> ImportRecord { ImportRecord(line: line, fields: fields) }

    @Test("Units, cadres and events come out typed, in file order")
    func typed() throws {
        let file = try OrgImportFile(header: header, records: [
            record(2, ["unit", "HN", "Hà Nội", "", "", "", "", "", ""]),
            record(3, ["unit", "P_HOANKIEM", "Phường Hoàn Kiếm", "HN", "", "", "", "", ""]),
            record(4, ["cadre", "CB1", "Trần Văn Hùng", "", "P_HOANKIEM", "", "", "", ""]),
            record(5, ["merge", "P_HOANKIEM", "", "", "", "HK.HANGBAC;HK.HANGBO", "", "2025-07-01", "NQ 1656/NQ-UBTVQH15"]),
            record(6, ["close", "HOANKIEM", "", "", "", "", "P_HOANKIEM", "2025-07-01", "NQ 1656"]),
        ])
        #expect(file.units.map(\.unit.code) == ["HN", "P_HOANKIEM"])
        #expect(file.cadres.first?.cadre.fullName == "Trần Văn Hùng")
        #expect(file.events.map(\.event.kind) == [.merge, .close])
        #expect(file.events.first?.event.predecessors == ["HK.HANGBAC", "HK.HANGBO"])
        #expect(file.events.first?.event.successors == ["P_HOANKIEM"])
        #expect(file.events.last?.line == 6)
    }

    @Test("Every bad row is reported by its line and field; the first five are named")
    func errors() {
        let error = #expect(throws: DomainError.self) {
            try OrgImportFile(header: header, records: [
                record(2, ["unit", "HN", "", "", "", "", "", "", ""]),
                record(3, ["cadre", "C 1", "A", "", "HN", "", "", "", ""]),
                record(4, ["merge", "X", "", "", "", "", "", "2025-07-01", "NQ"]),
                record(5, ["split", "X", "", "", "", "", "A;A", "2025-07-01", "NQ"]),
                record(6, ["close", "X", "", "", "", "", "", "2025-7-1", "NQ"]),
                record(7, ["party", "X", "", "", "", "", "", "", ""]),
                record(8, ["unit", "Y"]),
            ])
        }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("line 2: name: required; line 3: cadre: C 1 is not a code"))
        #expect(message.contains("line 4: from: a merge needs at least one predecessor"))
        #expect(message.contains("line 5: into: A is named twice"))
        #expect(message.contains("line 6: date: 2025-7-1 is not a date"))
        #expect(message.contains("… 2 more"))
    }

    @Test("The header is checked first: unknown or doubled columns, type and code required")
    func headerChecks() {
        #expect((#expect(throws: DomainError.self) { try OrgImportFile(header: ["type", "code", "colour"], records: []) })?.description.hasPrefix("line 1: unknown column colour") == true)
        #expect((#expect(throws: DomainError.self) { try OrgImportFile(header: ["code", "name"], records: []) })?.description == "line 1: the header needs the columns type and code")
        #expect((#expect(throws: DomainError.self) { try OrgImportFile(header: ["type", "code", "code"], records: []) })?.description == "line 1: column code appears twice")
    }

    @Test("Lineage events: a decision and a date always; no unit merges or splits into itself")
    func events() {
        func event(_ kind: LineageEvent.Kind, _ fields: [String: String]) throws(DomainError) -> LineageEvent {
            try LineageEvent(kind: kind) { fields[$0] }
        }
        #expect((#expect(throws: DomainError.self) { try event(.merge, ["code": "A", "from": "A,B", "date": "2025-07-01", "decision": "d"]) })?.field == "from")
        #expect((#expect(throws: DomainError.self) { try event(.rename, ["code": "A", "date": "2025-07-01", "decision": "d"]) })?.field == "name")
        #expect((#expect(throws: DomainError.self) { try event(.close, ["code": "A", "date": "2025-07-01"]) })?.field == "decision")
        #expect((try? event(.rename, ["code": "A", "name": "Phường Mới", "date": "2025-07-01", "decision": "d"]))?.newName == "Phường Mới")
    }

    @Test("Exam result rows: the round's header, the field count and scores in 0…100 by line")
    func examRows() throws {
        let rows = try ExamResultRows.check(round: "written", header: ["exam", "paper", "score"], records: [record(2, ["E1", "P01", "72.5"])])
        #expect(rows.first?.score == Mark(hundredths: 7_250))
        #expect((#expect(throws: DomainError.self) {
            try ExamResultRows.check(round: "written", header: ["exam", "paper", "score"], records: [record(2, ["E1", "P01", "101"])])
        })?.description == "line 2: score 101 out of range 0..100")
        #expect((#expect(throws: DomainError.self) { try ExamResultRows.header(round: "oral") })?.field == "round")
    }
}
