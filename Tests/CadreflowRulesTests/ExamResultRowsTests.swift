import CadreflowRules
import Testing

@Suite("Exam result rows: scores as spreadsheets write them, every bad row by line")
struct ExamResultRowsTests {
    private let header = ["exam", "paper", "score"]

    private func check(_ score: String) throws(DomainError) -> String? {
        try ExamResultRows.check(round: "written", header: header, records: [ImportRecord(line: 2, fields: ["E1", "k7qm3-xd9pa", score])]).first?.score.description
    }

    @Test("A decimal comma reads as a decimal point; a decimal point still works; trailing zeros do not count")
    func decimalComma() throws {
        #expect(try check("75,5") == "75.5")
        #expect(try check(" 0,25 ") == "0.25")
        #expect(try check("100") == "100")
        #expect(try check("100.00") == "100")
        #expect(try check("75.5") == "75.5")
        #expect(try check("75.250") == "75.25")
        #expect(try check("007") == "7")
    }

    @Test("A score that is not one number, out of range or with three decimals is refused naming the line", arguments: [
        ("7,5,1", "line 2: score 7,5,1 is not a number (write 75.5 or 75,5)"),
        ("1.000,5", "line 2: score 1.000,5 is not a number (write 75.5 or 75,5)"),
        (",5", "line 2: score ,5 is not a number (write 75.5 or 75,5)"),
        ("abc", "line 2: score abc is not a number (write 75.5 or 75,5)"),
        ("", "line 2: score (empty) is not a number (write 75.5 or 75,5)"),
        ("1e2", "line 2: score 1e2 is not a number (write 75.5 or 75,5)"),
        ("100,5", "line 2: score 100,5 out of range 0..100"),
        ("100.01", "line 2: score 100.01 out of range 0..100"),
        ("-0,5", "line 2: score -0,5 out of range 0..100"),
        ("99999999999999999999", "line 2: score 99999999999999999999 out of range 0..100"),
        ("75.555", "line 2: score 75.555 has more than two decimals"),
    ])
    func refused(score: String, message: String) {
        let error = #expect(throws: DomainError.self) { try check(score) }
        #expect(error?.code == .invalid)
        #expect(error?.description == message)
    }

    @Test("Every bad row is reported, by line: field counts, empty codes, duplicates; paper codes are upper-cased")
    func everyProblem() throws {
        let records = [
            ImportRecord(line: 2, fields: ["E1", "aaaaa-bbbbb", "80"]),
            ImportRecord(line: 3, fields: ["E1", "AAAAA-BBBBB", "81"]),
            ImportRecord(line: 4, fields: ["E1", "", "70"]),
            ImportRecord(line: 5, fields: ["E1", "CCCCC-DDDDD"]),
            ImportRecord(line: 6, fields: ["E2", "AAAAA-BBBBB", "70.125"]),
        ]
        let error = #expect(throws: DomainError.self) { try ExamResultRows.check(round: "written", header: header, records: records) }
        #expect(error.map { [$0.description] + $0.others.map(\.description) } == [
            "line 3: duplicate row: E1,AAAAA-BBBBB is on line 2 already",
            "line 4: paper is empty",
            "line 5: 2 fields, expected 3 (exam,paper,score)",
            "line 6: score 70.125 has more than two decimals",
        ])
        let rows = try ExamResultRows.check(round: "written", header: header, records: [records[0]])
        #expect(rows == [ExamResultRows.Row(line: 2, exam: "E1", keys: ["AAAAA-BBBBB"], score: Mark(hundredths: 8_000))])
    }

    @Test("A defense row is identified by exam, candidate and council member; the header must be the round's")
    func defenseRows() throws {
        let header = ["exam", "candidate", "member", "score"]
        let rows = try ExamResultRows.check(round: "defense", header: header, records: [
            ImportRecord(line: 2, fields: ["E1", "C1", "Ủy viên Nguyễn Văn A", "80,5"]),
            ImportRecord(line: 3, fields: ["E1", "C1", "Ủy viên Trần Thị B", "79"]),
        ])
        #expect(rows.map(\.keys) == [["C1", "Ủy viên Nguyễn Văn A"], ["C1", "Ủy viên Trần Thị B"]])
        let wrong = #expect(throws: DomainError.self) { try ExamResultRows.check(round: "defense", header: ["exam", "paper", "score"], records: []) }
        #expect(wrong?.description == "line 1: header must be exam,candidate,member,score, got exam,paper,score")
        let empty = #expect(throws: DomainError.self) { try ExamResultRows.check(round: "defense", header: header, records: []) }
        #expect(empty?.description == "line 1: the file has a header and no rows")
    }
}
