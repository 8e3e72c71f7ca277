import CadreflowRules
import Testing

@Suite("Assessment results: quarter and year means, exempt and unworked months, discipline; the cycle's deadlines and escalation")
struct AssessmentResultTests {
    private func month(_ text: String, _ standing: MonthScore.Standing) throws -> MonthScore {
        MonthScore(month: try AssessmentPeriod.parseMonth(text), standing: standing)
    }

    private func approved(_ text: String, _ tenths: Int) throws -> MonthScore {
        try month(text, .approved(Points(tenths: tenths)))
    }

    @Test("The year is the mean of the approved months worked: an exempt month and a month not worked are left out")
    func yearMean() throws {
        let ruleSet = try RuleSetFixtures.ruleSet()
        let months = [
            try approved("2024-01", 800), try approved("2024-02", 900), try month("2024-03", .exempt),
            try month("2024-04", .notWorked), try approved("2024-05", 855),
        ]
        let result = try PeriodResult.compute(for: RuleSetFixtures.period("2024"), months: months, disciplined: false, ruleSet: ruleSet)
        #expect(result.score == Points(tenths: 852))
        #expect(result.grade == .B)
        #expect(result.monthsCounted == 3 && result.monthsExempt == 1)
        #expect(result.graded && !result.disciplined)
    }

    @Test("Disciplined in the year: D whatever the score")
    func discipline() throws {
        let ruleSet = try RuleSetFixtures.ruleSet()
        let months = try (1...12).map { try approved("2024-\($0 < 10 ? "0" : "")\($0)", 960) }
        let clean = try PeriodResult.compute(for: RuleSetFixtures.period("2024"), months: months, disciplined: false, ruleSet: ruleSet)
        #expect(clean.grade == .A && clean.score == Points(whole: 96))
        let disciplined = try PeriodResult.compute(for: RuleSetFixtures.period("2024"), months: months, disciplined: true, ruleSet: ruleSet)
        #expect(disciplined.grade == .D && disciplined.disciplined)
        #expect(disciplined.score == Points(whole: 96))
    }

    @Test("The mean is rounded to one decimal, halves up")
    func rounding() throws {
        #expect(PeriodResult.mean([Points(tenths: 800), Points(tenths: 801)]) == Points(tenths: 801))
        #expect(PeriodResult.mean([Points(tenths: 800), Points(tenths: 800), Points(tenths: 801)]) == Points(tenths: 800))
        #expect(PeriodResult.mean([Points(tenths: 800), Points(tenths: 801), Points(tenths: 801)]) == Points(tenths: 801))
        #expect(PeriodResult.mean([]) == nil)
    }

    @Test("A quarter counts its own months; nothing worked gives no score and no grade")
    func quarter() throws {
        let ruleSet = try RuleSetFixtures.ruleSet()
        let q2 = try PeriodResult.compute(for: RuleSetFixtures.period("2024-Q2"), months: [try approved("2024-04", 700), try approved("2024-06", 699)], disciplined: false, ruleSet: ruleSet)
        #expect(q2.score == Points(tenths: 700) && q2.grade == .B)
        #expect(!q2.graded, "monthly grading proposes no quarter grade")
        let empty = try PeriodResult.compute(for: RuleSetFixtures.period("2024-Q3"), months: [try month("2024-07", .exempt), try month("2024-08", .notWorked)], disciplined: true, ruleSet: ruleSet)
        #expect(empty.score == nil && empty.grade == nil && !empty.disciplined)
        #expect(empty.monthsCounted == 0 && empty.monthsExempt == 1)
    }

    @Test("Under quarterly grading Q1–Q3 are graded and Q4 only counts in the year")
    func quarterlyGrading() throws {
        let ruleSet = try RuleSetFixtures.shipped().ruleSet(for: RuleSetFixtures.period("2026"))
        let months = try [approved("2026-10", 900), approved("2026-11", 920)]
        let q4 = try PeriodResult.compute(for: RuleSetFixtures.period("2026-Q4"), months: months, disciplined: false, ruleSet: ruleSet)
        #expect(!q4.graded && q4.score == Points(whole: 91))
        let q1 = try PeriodResult.compute(for: RuleSetFixtures.period("2026-Q1"), months: [try approved("2026-01", 900)], disciplined: false, ruleSet: ruleSet)
        #expect(q1.graded)
    }

    @Test("mean_of_quarters: the mean of the quarter means, not of the months")
    func meanOfQuarters() throws {
        let months = try [approved("2024-01", 900), approved("2024-02", 900), approved("2024-03", 900), approved("2024-04", 600)]
        let byMonths = try PeriodResult.compute(for: RuleSetFixtures.period("2024"), months: months, disciplined: false, ruleSet: RuleSetFixtures.ruleSet())
        #expect(byMonths.score == Points(tenths: 825))
        let quarters = try RuleSetFixtures.ruleSet([("\"mean_of_months\"", "\"mean_of_quarters\"")])
        let byQuarters = try PeriodResult.compute(for: RuleSetFixtures.period("2024"), months: months, disciplined: false, ruleSet: quarters)
        #expect(byQuarters.score == Points(whole: 75))
        #expect(byQuarters.monthsCounted == 4)
    }

    @Test("Months listed twice, outside the period, or not months are refused")
    func wrongMonths() throws {
        let ruleSet = try RuleSetFixtures.ruleSet()
        let year = try RuleSetFixtures.period("2024")
        let cases: [([MonthScore], String)] = [
            ([try approved("2024-01", 800), try approved("2024-01", 900)], "months: 2024-01 is listed twice"),
            ([try approved("2023-12", 800)], "months: 2023-12 is not in 2024"),
            ([MonthScore(month: try RuleSetFixtures.period("2024-Q1"), standing: .exempt)], "months: 2024-Q1 is not a month"),
        ]
        for (months, message) in cases {
            let error = #expect(throws: DomainError.self) { try PeriodResult.compute(for: year, months: months, disciplined: false, ruleSet: ruleSet) }
            #expect(error?.description == message)
        }
    }

    @Test("A month's deadlines fall in the month after: self day 3, review 5, approval 7, close 8")
    func deadlines() throws {
        let ruleSet = try RuleSetFixtures.ruleSet()
        let march = try DeadlineSchedule(month: RuleSetFixtures.period("2026-03"), ruleSet: ruleSet)
        #expect([march.selfAssessment, march.review, march.approval, march.close].map(\.description) == ["2026-04-03", "2026-04-05", "2026-04-07", "2026-04-08"])
        #expect(march.deadline(.review).description == "2026-04-05")
        let december = try DeadlineSchedule(month: RuleSetFixtures.period("2025-12"), ruleSet: ruleSet)
        #expect(december.selfAssessment.description == "2026-01-03" && december.close.description == "2026-01-08")
        let error = #expect(throws: DomainError.self) { try DeadlineSchedule(month: RuleSetFixtures.period("2026-Q1"), ruleSet: ruleSet) }
        #expect(error?.description == "month: 2026-Q1 is not a month YYYY-MM")
    }

    @Test("Escalation of a pending step: due soon the day before and on the deadline, late the day after, seriously late two days after")
    func escalation() throws {
        let schedule = try DeadlineSchedule(month: RuleSetFixtures.period("2026-03"), ruleSet: RuleSetFixtures.ruleSet())
        let expected: [(String, EscalationLevel)] = [
            ("2026-03-31", .notDue), ("2026-04-01", .notDue), ("2026-04-02", .dueSoon), ("2026-04-03", .dueSoon),
            ("2026-04-04", .late), ("2026-04-05", .seriouslyLate), ("2026-05-01", .seriouslyLate),
        ]
        for (text, level) in expected {
            let day = try #require(CalendarDay(text))
            #expect(schedule.escalation(of: .selfAssessment, on: day) == level, "\(text)")
        }
        let newYear = try DeadlineSchedule(month: RuleSetFixtures.period("2025-12"), ruleSet: RuleSetFixtures.ruleSet())
        #expect(newYear.escalation(of: .review, on: try #require(CalendarDay("2025-12-31"))) == .notDue)
        #expect(newYear.escalation(of: .review, on: try #require(CalendarDay("2026-01-04"))) == .dueSoon)
        #expect(newYear.escalation(of: .approval, on: try #require(CalendarDay("2026-01-09"))) == .seriouslyLate)
        #expect(EscalationLevel.late < .seriouslyLate && EscalationLevel.notDue < .dueSoon)
    }

    @Test("A grace after the deadline stays due soon until late_after_days")
    func grace() throws {
        let ruleSet = try RuleSetFixtures.ruleSet([("\"late_after_days\": 1, \"seriously_late_after_days\": 2", "\"late_after_days\": 2, \"seriously_late_after_days\": 4")])
        let schedule = try DeadlineSchedule(month: RuleSetFixtures.period("2026-03"), ruleSet: ruleSet)
        let levels = try ["2026-04-04", "2026-04-05", "2026-04-06", "2026-04-07"].map { text in
            schedule.escalation(of: .selfAssessment, on: try #require(CalendarDay(text)))
        }
        #expect(levels == [.dueSoon, .late, .late, .seriouslyLate])
    }
}
