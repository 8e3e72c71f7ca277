import CadreflowRules
import Testing

@Suite("Exam result rows: scores as spreadsheets write them")
struct ExamResultRowsTests {
    private let header = ["exam", "paper", "score"]

    private func check(_ score: String) throws(DomainError) -> Double? {
        try ExamResultRows.check(round: "written", header: header, records: [ImportRecord(line: 2, fields: ["E1", "P01", score])]).first?.score
    }

    @Test("A decimal comma reads as a decimal point; a decimal point still works")
    func decimalComma() throws {
        #expect(try check("75,5") == 75.5)
        #expect(try check(" 0,25 ") == 0.25)
        #expect(try check("100") == 100)
        #expect(try check("75.5") == 75.5)
    }

    @Test("A score that is not one number is refused naming the line; a decimal comma past 100 is out of range", arguments: [
        ("7,5,1", "line 2: score 7,5,1 is not a number (write 75.5 or 75,5)"),
        ("1.000,5", "line 2: score 1.000,5 is not a number (write 75.5 or 75,5)"),
        (",5", "line 2: score ,5 is not a number (write 75.5 or 75,5)"),
        ("abc", "line 2: score abc is not a number (write 75.5 or 75,5)"),
        ("", "line 2: score (empty) is not a number (write 75.5 or 75,5)"),
        ("100,5", "line 2: score 100,5 out of range 0..100"),
        ("-0,5", "line 2: score -0,5 out of range 0..100"),
    ])
    func refused(score: String, message: String) {
        let error = #expect(throws: DomainError.self) { try check(score) }
        #expect(error?.code == .invalid)
        #expect(error?.description == message)
    }
}
