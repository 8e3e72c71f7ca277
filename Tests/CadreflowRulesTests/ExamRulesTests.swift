import CadreflowRules
import Testing

@Suite("Exam rules: marks, ranking, eligibility checks, paper codes, terms")
struct ExamRulesTests {
    private func mark(_ text: String) -> Mark { (try? Mark.parse(text)) ?? Mark(hundredths: -1) }

    @Test("Marks are exact hundredths: means and weighted totals round halves up")
    func marks() throws {
        #expect(mark("75,5") == Mark(hundredths: 7_550))
        #expect(mark("75.50").description == "75.5")
        #expect(mark("7.05").description == "7.05")
        #expect(Mark.mean([mark("70"), mark("75"), mark("81")])?.description == "75.33")
        #expect(Mark.mean([mark("70"), mark("70.01")])?.description == "70.01")  // 70.005 → 70.01
        #expect(Mark.mean([]) == nil)
        #expect(mark("74.5").weighted(50, with: mark("88")).description == "81.25")
        #expect(mark("90").weighted(40, with: mark("70")).description == "78")
        #expect(mark("0.01").weighted(50, with: mark("0")).description == "0.01")  // 0.005 → 0.01
        #expect((#expect(throws: DomainError.self) { try Mark.parse("100.01", field: "pass_mark") })?.field == "pass_mark")
    }

    private let terms = ExamTerms(post: "Phó Giám đốc", unit: "SNV", level: .deputy, minCandidates: 2, writtenWeightPercent: 50, passMark: Mark(hundredths: 5_000), planningRequired: true)

    private func paper(_ cadre: String, _ written: String, _ defense: [String]) -> ExamRanking.Paper {
        ExamRanking.Paper(cadre: cadre, written: mark(written), defense: defense.map(mark))
    }

    @Test("Ranking: by total, then defense; equal on both share a rank; below a pass mark never ranks")
    func ranking() throws {
        let ranking = ExamRanking(papers: [
            paper("A", "80", ["70"]), paper("B", "70", ["80"]), paper("C", "49.99", []), paper("D", "90", ["49"]), paper("E", "60", ["60"]),
        ], terms: terms)
        #expect(ranking.rows.map(\.cadre) == ["B", "A", "E", "D", "C"])
        #expect(ranking.rows.map(\.rank) == [1, 2, 3, nil, nil])
        #expect(ranking.rows.first { $0.cadre == "D" }?.total?.description == "69.5")
        #expect(ranking.rows.first { $0.cadre == "C" }?.defense == nil)
        #expect(ranking.winner == .one("B"))
        #expect(try ranking.appointee(nil) == "B")
        #expect((#expect(throws: DomainError.self) { try ranking.appointee("A") })?.description == "cadre: A is not the winner: B ranks first")

        let tied = ExamRanking(papers: [paper("Y", "80", ["70", "70"]), paper("X", "80", ["75", "65"]), paper("Z", "79", ["70"])], terms: terms)
        #expect(tied.rows.map(\.rank) == [1, 1, 3])
        #expect(tied.winner == .tied(["X", "Y"]))
        #expect(try tied.appointee("Y") == "Y")
        #expect((#expect(throws: DomainError.self) { try tied.appointee(nil) })?.field == "cadre")
        #expect((#expect(throws: DomainError.self) { try tied.appointee("Z") })?.code == .conflict)

        let nobody = ExamRanking(papers: [paper("A", "40", []), paper("B", "55", ["45"])], terms: terms)
        #expect(nobody.winner == .nobody)
        #expect((#expect(throws: DomainError.self) { try nobody.appointee(nil) })?.code == .conflict)
    }

    private func facts(status: CadreStatus = .active, planning: Bool = true, born: String? = "1980-01-01", sex: Sex? = .male, discipline: String? = nil) -> EligibilityCheck.Facts {
        EligibilityCheck.Facts(status: status, planning: planning, born: born.flatMap { CalendarDay($0) }, sex: sex, lastDiscipline: discipline.flatMap { CalendarDay($0) })
    }

    private func failed(_ facts: EligibilityCheck.Facts, terms: ExamTerms? = nil) -> [String] {
        let day = CalendarDay(year: 2026, month: 3, day: 2) ?? CalendarDay(year: 2000, month: 1, day: 1)!
        return EligibilityCheck.run(facts, terms: terms ?? self.terms, policy: .standard, retirement: .statutory, on: day).filter { !$0.passed }.map(\.name)
    }

    @Test("Eligibility checks: active, in the planning pool when required, no discipline within two years, five years before retirement")
    func eligibility() {
        #expect(failed(facts()) == [])
        #expect(failed(facts(status: .onLeave)) == ["active"])
        #expect(failed(facts(planning: false)) == ["planning"])
        var open = terms
        open.planningRequired = false
        #expect(failed(facts(planning: false), terms: open) == [])
        #expect(failed(facts(discipline: "2024-03-03")) == ["discipline"])
        #expect(failed(facts(discipline: "2024-03-02")) == [])
        #expect(failed(facts(born: "1965-06-01")) == ["age"])
        #expect(failed(facts(born: nil)) == ["age"])
        let checks = EligibilityCheck.run(facts(planning: false, discipline: "2025-06-01"), terms: terms, policy: .standard, retirement: .statutory,
                                          on: CalendarDay(year: 2026, month: 3, day: 2) ?? CalendarDay(year: 2000, month: 1, day: 1)!)
        #expect(EligibilityCheck.summary(checks) == "planning: not in the planning pool; discipline: disciplined on 2025-06-01, within 2 years")
    }

    @Test("Paper codes: ten characters of Crockford's alphabet, different every time")
    func paperCodes() {
        var generator = SystemRandomNumberGenerator()
        let codes = (0..<1_000).map { _ in PaperCode.make(using: &generator) }
        #expect(codes.allSatisfy(PaperCode.isWellFormed))
        #expect(Set(codes).count == codes.count)
        #expect(!codes.contains { $0.contains("I") || $0.contains("L") || $0.contains("O") || $0.contains("U") })
        #expect(!PaperCode.isWellFormed("ABCDE-FGHIJ"))
        #expect(!PaperCode.isWellFormed("abcde-fghjk"))
    }

    @Test("Terms: the policy's defaults, each override checked and named")
    func examTerms() throws {
        let parsed = try ExamTerms.parse(options: ["post": " Phó Chủ tịch ", "unit": "HN.B", "level": "head", "pass_mark": "55,5", "planning": "no"], policy: .standard)
        #expect(parsed.post == "Phó Chủ tịch")
        #expect(parsed.level == .head)
        #expect(parsed.passMark.description == "55.5")
        #expect(parsed.minCandidates == 2)
        #expect(ExamTerms(data: parsed.data, policy: .standard) == parsed)
        for (options, field) in [
            (["unit": "X"], "post"), (["post": "p"], "unit"), (["post": "p", "unit": "X", "level": "staff"], "level"),
            (["post": "p", "unit": "X", "min_candidates": "0"], "min_candidates"), (["post": "p", "unit": "X", "planning": "maybe"], "planning"),
        ] {
            #expect((#expect(throws: DomainError.self) { try ExamTerms.parse(options: options, policy: .standard) })?.field == field)
        }
    }
}
