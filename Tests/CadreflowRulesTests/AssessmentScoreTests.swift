import CadreflowRules
import Testing

@Suite("Assessment: periods, score sheets checked against the rule set, grades at every band edge")
struct AssessmentScoreTests {
    private func sheet(_ parts: [String: String]) throws -> ScoreSheet {
        try ScoreSheet(entered: parts, ruleSet: RuleSetFixtures.ruleSet())
    }

    @Test("Periods parse as months, quarters and years, and know their months")
    func periods() throws {
        let march = try AssessmentPeriod.parse("2026-03")
        #expect(march.kind == .month && march.year == 2026 && march.number == 3)
        #expect(march.description == "2026-03")
        #expect(march.quarter?.description == "2026-Q1")
        let second = try AssessmentPeriod.parse("2026-Q2")
        #expect(second.months.map(\.description) == ["2026-04", "2026-05", "2026-06"])
        #expect(try AssessmentPeriod.parse("2026-q4").description == "2026-Q4")
        let year = try AssessmentPeriod.parse(" 2026 ")
        #expect(year.kind == .year && year.months.count == 12)
        #expect(year.firstMonth.description == "2026-01" && year.lastMonth.description == "2026-12")
        let may = try AssessmentPeriod.parse("2026-05")
        #expect(year.contains(second) && second.contains(may) && !second.contains(march))
        #expect(try AssessmentPeriod.parse("2025-12") < march)
        #expect(try AssessmentPeriod.parse("2026-01") < AssessmentPeriod.parse("2026-Q1"))
        #expect(try AssessmentPeriod.parse("2026-Q1") < AssessmentPeriod.parse("2026"))
        #expect(try AssessmentPeriod.parseMonth("2026-11").description == "2026-11")
    }

    @Test("A wrong period names the field", arguments: [
        ("2026-13", "period: 2026-13 is not a period YYYY-MM, YYYY-Qn or YYYY"),
        ("2026-Q5", "period: 2026-Q5 is not a period YYYY-MM, YYYY-Qn or YYYY"),
        ("2026-1", "period: 2026-1 is not a period YYYY-MM, YYYY-Qn or YYYY"),
        ("26-01", "period: 26-01 is not a period YYYY-MM, YYYY-Qn or YYYY"),
        ("2026-03-01", "period: 2026-03-01 is not a period YYYY-MM, YYYY-Qn or YYYY"),
        ("", "period: required"),
    ])
    func wrongPeriods(text: String, message: String) {
        let error = #expect(throws: DomainError.self) { try AssessmentPeriod.parse(text) }
        #expect(error?.description == message)
    }

    @Test("A month field refuses a quarter and a year")
    func monthOnly() {
        let error = #expect(throws: DomainError.self) { try AssessmentPeriod.parseMonth("2026-Q1") }
        #expect(error?.description == "month: 2026-Q1 is not a month YYYY-MM")
        #expect(throws: DomainError.self) { try AssessmentPeriod.parseMonth("2026") }
    }

    @Test("The total and the grade are computed from the parts; an optional part left out is 0")
    func computed() throws {
        let scores = try sheet(["discipline": "18", "duties": "65.5", "bonus": "5"])
        #expect(scores.total == Points(tenths: 885))
        #expect(scores.total.description == "88.5")
        #expect(scores.grade == .B)
        #expect(scores["duties"] == Points(tenths: 655))
        #expect(scores.parts.map(\.key) == ["discipline", "duties", "bonus"])
        let noBonus = try sheet(["discipline": "20", "duties": "70"])
        #expect(noBonus["bonus"] == .zero)
        #expect(noBonus.total == Points(whole: 90) && noBonus.grade == .A)
        #expect(try sheet(["discipline": "20", "duties": "70", "bonus": "10"]).total.description == "100")
        #expect(try sheet(["discipline": "19,5", "duties": "65.50", "bonus": " "]).total.description == "85")
    }

    @Test("Grades at every band edge, exactly (tenths, no floating point)", arguments: [
        ("0", "0", "D"), ("0", "49.9", "D"), ("0", "50", "C"), ("20", "49.9", "C"), ("20", "50", "B"),
        ("19.9", "60", "B"), ("19.9", "70", "B"), ("20", "70", "A"),
    ])
    func edges(discipline: String, duties: String, grade: String) throws {
        let scores = try sheet(["discipline": discipline, "duties": duties, "bonus": "0"])
        #expect(scores.grade.rawValue == grade, "\(scores.total)")
    }

    @Test("Totals at the edges with a bonus: 89.9 → B, 90 → A, 69.9 → C, 49.9 → D")
    func bonusEdges() throws {
        #expect(try sheet(["discipline": "20", "duties": "60", "bonus": "9.9"]).grade == .B)
        #expect(try sheet(["discipline": "20", "duties": "60", "bonus": "10"]).grade == .A)
        #expect(try sheet(["discipline": "10", "duties": "50", "bonus": "9.9"]).grade == .C)
        #expect(try sheet(["discipline": "10", "duties": "30", "bonus": "9.9"]).grade == .D)
        let ruleSet = try RuleSetFixtures.ruleSet()
        #expect(ruleSet.grade(for: Points(tenths: 899)) == .B)
        #expect(ruleSet.grade(for: Points(tenths: 900)) == .A)
        #expect(ruleSet.grade(for: Points(tenths: 699)) == .C)
        #expect(ruleSet.grade(for: Points(tenths: 499)) == .D)
    }

    @Test("Each part is checked against its range; the error names the part and the range", arguments: [
        (["discipline": "18", "duties": "71"], "duties: 71 is outside 0–70"),
        (["discipline": "18", "duties": "65.25"], "duties: 65.25 has more than one decimal"),
        (["discipline": "18", "duties": "70.1"], "duties: 70.1 is outside 0–70"),
        (["discipline": "21", "duties": "60"], "discipline: 21 is outside 0–20"),
        (["discipline": "18", "duties": "60", "bonus": "-1"], "bonus: -1 is outside 0–10"),
        (["discipline": "18", "duties": "60", "bonus": "10.5"], "bonus: 10.5 is outside 0–10"),
        (["discipline": "18", "duties": "abc"], "duties: abc is not a number"),
        (["discipline": "18", "duties": "6.5.1"], "duties: 6.5.1 is not a number"),
        (["discipline": "18", "duties": "1e2"], "duties: 1e2 is not a number"),
        (["discipline": "18", "duties": ".5"], "duties: .5 is not a number"),
        (["duties": "60"], "discipline: required"),
        (["discipline": "18", "duties": ""], "duties: required"),
    ])
    func refused(parts: [String: String], message: String) {
        let error = #expect(throws: DomainError.self) { try sheet(parts) }
        #expect(error?.code == .invalid)
        #expect(error?.description == message)
    }

    @Test("Whole-number rule sets refuse a decimal")
    func wholeNumbers() throws {
        let ruleSet = try RuleSetFixtures.ruleSet([("\"decimals\": 1", "\"decimals\": 0")])
        let error = #expect(throws: DomainError.self) { try ScoreSheet(entered: ["discipline": "18.5", "duties": "60"], ruleSet: ruleSet) }
        #expect(error?.description == "discipline: 18.5 must be a whole number")
        #expect(try ScoreSheet(entered: ["discipline": "18.0", "duties": "60"], ruleSet: ruleSet).total == Points(whole: 78))
    }

    @Test("Points print without a trailing .0 and add exactly")
    func points() throws {
        #expect(Points(tenths: 700).description == "70")
        #expect(Points(tenths: 5).description == "0.5")
        #expect(Points(tenths: -5).description == "-0.5")
        let tenth = try Points.parse("0.1", field: "f")
        #expect((0..<10).reduce(Points.zero) { total, _ in total + tenth } == Points(whole: 1))
    }
}
