import CadreflowRules
import Foundation
import Testing

@Suite("Rule sets: the shipped files, validation naming the file and the key, the set in force for a period")
struct RuleSetCatalogTests {
    @Test("The shipped files load and validate: QĐ 3814 monthly from 2018-06, KL 198 quarterly from 2025-Q4, NĐ 335 from 2026")
    func shipped() throws {
        let catalog = try RuleSetFixtures.shipped()
        #expect(catalog.ruleSets.map(\.name) == ["qd3814-monthly", "kl198-quarterly", "nd335-2026"])
        #expect(catalog.ruleSets.map(\.from.description) == ["2018-06", "2025-10", "2026-01"])
        #expect(catalog.ruleSets.map(\.file) == ["qd3814-monthly.json", "kl198-quarterly.json", "nd335-2026.json"])
        for ruleSet in catalog.ruleSets {
            #expect(ruleSet.scores.parts.map(\.key) == ["discipline", "duties", "bonus"])
            #expect(ruleSet.scores.parts.map(\.max) == [Points(whole: 20), Points(whole: 70), Points(whole: 10)])
            #expect(ruleSet.scores.parts.map(\.required) == [true, true, false])
            #expect(ruleSet.grades.bands.map(\.min) == [Points(whole: 90), Points(whole: 70), Points(whole: 50), .zero])
            #expect(ruleSet.quota.share.description == "30%")
            #expect(ruleSet.quota.outstandingShare?.description == "40%")
            #expect(ruleSet.quota.rounding == .floor)
            #expect(ruleSet.year.quota.share.description == "20%")
            #expect(ruleSet.year.quota.of == .grade(.B))
            #expect(ruleSet.year.score == .meanOfMonths)
            #expect(ruleSet.year.disciplinedGrade == .D)
            let deadlines = ruleSet.deadlines
            #expect([deadlines.selfAssessment, deadlines.review, deadlines.approval, deadlines.close] as [Int] == [3, 5, 7, 8])
            let escalation = ruleSet.escalation
            #expect([escalation.dueSoonDays, escalation.lateAfterDays, escalation.seriouslyLateAfterDays] as [Int] == [1, 1, 2])
            #expect(!ruleSet.source.isEmpty)
        }
        let monthly = try #require(catalog.ruleSet(named: "qd3814-monthly"))
        #expect(monthly.grading.periods == .monthly)
        #expect(monthly.quota.group == .unit && monthly.year.quota.group == .unit)
        #expect(monthly.source.contains("3814"))
        let quarterly = try #require(catalog.ruleSet(named: "kl198-quarterly"))
        #expect(quarterly.grading.periods == .quarterly && quarterly.grading.lastQuarterInYear)
        #expect(quarterly.quota.group == .unitLevel)
        #expect(quarterly.source.contains("198-KL/TW") && quarterly.source.contains("43-HD/BTCTW"))
        let nd335 = try #require(catalog.ruleSet(named: "nd335-2026"))
        #expect(nd335.grading.periods == .quarterly)
        #expect(nd335.year.quota.group == .unitLevel)
        #expect(nd335.source.contains("335/2025"))
    }

    @Test("The rule set in force: none before the first, the latest whose first month is not after the period's end")
    func inForce() throws {
        let catalog = try RuleSetFixtures.shipped()
        let error = #expect(throws: DomainError.self) { try catalog.ruleSet(for: RuleSetFixtures.period("2018-05")) }
        #expect(error?.code == .notFound)
        #expect(error?.description == "period: no rule set applies to 2018-05 (the earliest, qd3814-monthly, applies from 2018-06)")
        #expect(throws: DomainError.self) { try catalog.ruleSet(for: RuleSetFixtures.period("2018-Q1")) }
        let expected: [(String, String)] = [
            ("2018-06", "qd3814-monthly"), ("2018-Q2", "qd3814-monthly"), ("2018", "qd3814-monthly"),
            ("2025-09", "qd3814-monthly"), ("2025-Q3", "qd3814-monthly"),
            ("2025-10", "kl198-quarterly"), ("2025-Q4", "kl198-quarterly"), ("2025-12", "kl198-quarterly"),
            ("2025", "kl198-quarterly"),
            ("2026-01", "nd335-2026"), ("2026-Q1", "nd335-2026"), ("2026", "nd335-2026"), ("2031-07", "nd335-2026"),
        ]
        for (period, name) in expected {
            #expect(try catalog.ruleSet(for: RuleSetFixtures.period(period)).name == name, "\(period)")
        }
    }

    @Test("A period keeps the rule set in force for it when a newer one is added")
    func newerRuleSetAdded() throws {
        let older = try RuleSetFixtures.ruleSet(file: "a.json")
        let before = try RuleSetCatalog(ruleSets: [older])
        #expect(try before.ruleSet(for: RuleSetFixtures.period("2026-03")).name == "monthly")
        let newer = try RuleSetFixtures.ruleSet([("\"monthly\", \"from\": \"2024-01\"", "\"quarterly\", \"from\": \"2026-04\""),
                                                 ("{\"periods\": \"monthly\"}", "{\"periods\": \"quarterly\"}")], file: "b.json")
        let after = try RuleSetCatalog(ruleSets: [newer, older])
        #expect(after.ruleSets.map(\.name) == ["monthly", "quarterly"])
        #expect(try after.ruleSet(for: RuleSetFixtures.period("2026-03")).name == "monthly")
        #expect(try after.ruleSet(for: RuleSetFixtures.period("2026-Q1")).name == "monthly")
        #expect(try after.ruleSet(for: RuleSetFixtures.period("2026-04")).name == "quarterly")
        #expect(try after.ruleSet(for: RuleSetFixtures.period("2026-Q2")).name == "quarterly")
    }

    @Test("Which periods are graded: months under monthly grading; Q1–Q3 and the year under quarterly, Q4 folded into the year")
    func gradedPeriods() throws {
        let catalog = try RuleSetFixtures.shipped()
        let monthly = try #require(catalog.ruleSet(named: "qd3814-monthly"))
        let quarterly = try #require(catalog.ruleSet(named: "nd335-2026"))
        for (period, underMonthly, underQuarterly) in [("2026-03", true, false), ("2026-Q1", false, true), ("2026-Q3", false, true),
                                                       ("2026-Q4", false, false), ("2026", true, true)] {
            #expect(monthly.isGraded(try RuleSetFixtures.period(period)) == underMonthly, "\(period)")
            #expect(quarterly.isGraded(try RuleSetFixtures.period(period)) == underQuarterly, "\(period)")
        }
        let unfolded = try RuleSetFixtures.ruleSet([("{\"periods\": \"monthly\"}", "{\"periods\": \"quarterly\", \"last_quarter_in_year\": false}")])
        #expect(unfolded.isGraded(try RuleSetFixtures.period("2026-Q4")))
    }

    @Test("Each fault of a file is refused with the file and the key", arguments: [
        ("\"A\": {\"min\": 90}", "\"A\": {\"min\": 190}", "monthly.json: grades.A.min: must be between 0 and 100"),
        ("\"A\": {\"min\": 90}", "\"A\": {\"min\": \"90\"}", "monthly.json: grades.A.min: must be a number"),
        ("\"B\": {\"min\": 70, \"below\": 90}", "\"B\": {\"min\": 70, \"below\": 85}", "monthly.json: grades.B.below: 85 leaves a gap up to grades.A.min (90)"),
        ("\"B\": {\"min\": 70, \"below\": 90}", "\"B\": {\"min\": 70, \"below\": 95}", "monthly.json: grades.B.below: 95 overlaps grades.A, which starts at 90"),
        ("\"B\": {\"min\": 70, \"below\": 90}", "\"B\": {\"min\": 70}", "monthly.json: grades.B.below: required (grades.A.min is 90)"),
        ("\"A\": {\"min\": 90}", "\"A\": {\"min\": 90, \"below\": 100}", "monthly.json: grades.A.below: the top band has no upper edge: it runs to the maximum score"),
        ("\"C\": {\"min\": 50, \"below\": 70}", "\"C\": {\"min\": 75, \"below\": 70}", "monthly.json: grades.C.min: 75 must be below grades.B.min (70)"),
        ("\"D\": {\"min\": 0, \"below\": 50}", "\"D\": {\"min\": 10, \"below\": 50}", "monthly.json: grades.D.min: the lowest band must start at 0, not 10"),
        (", \"D\": {\"min\": 0, \"below\": 50}", "", "monthly.json: grades.D: required"),
        ("\"D\": {\"min\": 0, \"below\": 50}", "\"D\": {\"min\": 0, \"below\": 50}, \"E\": {\"min\": 0}", "monthly.json: grades.E: unknown key (expected A, B, C, D)"),
        ("\"max\": 70}", "\"max\": 60}", "monthly.json: scores.parts: the parts' maxima add up to 90, not 100"),
        ("\"max\": 70}", "\"max\": 65.25}", "monthly.json: scores.parts[1].max: 65.25 has more than one decimal"),
        ("\"max\": 70}", "\"max\": -70}", "monthly.json: scores.parts[1].max: must be between 0 and 100"),
        ("\"min\": 0, \"max\": 70}", "\"min\": 70, \"max\": 70}", "monthly.json: scores.parts[1].max: must be above min (70)"),
        ("\"key\": \"duties\"", "\"key\": \"discipline\"", "monthly.json: scores.parts[1].key: discipline appears twice"),
        ("\"decimals\": 1", "\"decimals\": 2", "monthly.json: scores.decimals: must be 0 or 1"),
        ("\"share\": 0.3", "\"share\": 1.3", "monthly.json: quota.share: must be between 0 and 1"),
        ("\"share\": 0.3", "\"share\": -0.1", "monthly.json: quota.share: must be between 0 and 1"),
        ("\"share\": 0.3", "\"share\": 0.30001", "monthly.json: quota.share: 0.30001 has more than four decimals"),
        ("\"outstanding_share\": 0.4", "\"outstanding_share\": 0.2", "monthly.json: quota.outstanding_share: 20% is below quota.share (30%)"),
        ("\"group\": \"unit\"}", "\"group\": \"city\"}", "monthly.json: quota.group: city is not one of unit, unit_level"),
        ("\"share\": 0.3,", "\"share\": 0.3, \"of\": \"B\",", "monthly.json: quota.of: a period's quota counts over the graded cadres: graded, not B"),
        ("\"of\": \"B\"", "\"of\": \"A\"", "monthly.json: year.quota.of: A is not graded or a grade other than A"),
        ("\"share\": 0.2,", "\"share\": 0.2, \"outstanding_share\": 0.3,", "monthly.json: year.quota.outstanding_share: unknown key (expected grade, share, of, group, rounding, source)"),
        ("\"mean_of_months\"", "\"median\"", "monthly.json: year.score: median is not one of mean_of_months, mean_of_quarters"),
        ("\"review\": 5", "\"review\": 3", "monthly.json: deadlines.review: day 3 must come after deadlines.self (day 3)"),
        ("\"close\": 8", "\"close\": 7", "monthly.json: deadlines.close: day 7 must come after deadlines.approve (day 7)"),
        ("\"close\": 8", "\"close\": 31", "monthly.json: deadlines.close: 31 is not a day 1…28 (every month has those)"),
        ("\"close\": 8", "\"close\": 8.5", "monthly.json: deadlines.close: must be a whole number"),
        (", \"close\": 8", "", "monthly.json: deadlines.close: required"),
        ("\"seriously_late_after_days\": 2", "\"seriously_late_after_days\": 1", "monthly.json: escalation.seriously_late_after_days: must be more than late_after_days (1) and at most 60"),
        ("\"late_after_days\": 1", "\"late_after_days\": 0", "monthly.json: escalation.late_after_days: must be between 1 and 28 (a step is late only after its deadline day)"),
        ("{\"periods\": \"monthly\"}", "{\"periods\": \"weekly\"}", "monthly.json: grading.periods: weekly is not one of monthly, quarterly"),
        ("{\"periods\": \"monthly\"}", "{\"periods\": \"monthly\", \"last_quarter_in_year\": true}", "monthly.json: grading.last_quarter_in_year: only with quarterly grading"),
        ("\"from\": \"2024-01\"", "\"from\": \"2024-13\"", "monthly.json: from: 2024-13 is not a month YYYY-MM"),
        ("\"from\": \"2024-01\"", "\"from\": \"2024-Q1\"", "monthly.json: from: 2024-Q1 is not a month YYYY-MM"),
        ("\"source\": \"QĐ 3814-QĐ/TU\",", "", "monthly.json: source: required"),
        ("\"name\": \"monthly\"", "\"name\": \"monthly rules\"", "monthly.json: name: monthly rules is not a name: use 1 to 64 letters, digits, _ . -"),
        ("\"grading\": {\"periods\": \"monthly\"}", "\"grading\": [\"monthly\"]", "monthly.json: grading: must be an object"),
        ("{\"key\": \"discipline\", \"min\": 0, \"max\": 20}", "20", "monthly.json: scores.parts[0]: must be an object"),
    ])
    func faults(old: String, new: String, message: String) throws {
        let error = #expect(throws: DomainError.self) { try RuleSetFixtures.ruleSet([(old, new)]) }
        #expect(error?.code == .invalid)
        #expect(error?.description == message)
    }

    @Test("A quarterly rule set must start at a quarter")
    func quarterlyStartsAtAQuarter() throws {
        let error = #expect(throws: DomainError.self) {
            try RuleSetFixtures.ruleSet([("\"from\": \"2024-01\"", "\"from\": \"2024-02\""), ("{\"periods\": \"monthly\"}", "{\"periods\": \"quarterly\"}")])
        }
        #expect(error?.description == "monthly.json: from: 2024-02 does not start a quarter, and grading.periods is quarterly")
        let april = try RuleSetFixtures.ruleSet([("\"from\": \"2024-01\"", "\"from\": \"2024-04\""), ("{\"periods\": \"monthly\"}", "{\"periods\": \"quarterly\"}")])
        #expect(april.from.description == "2024-04")
    }

    @Test("Unknown keys, files that are not JSON or not an object are refused naming the file")
    func notRuleSets() throws {
        let unknown = #expect(throws: DomainError.self) { try RuleSetFixtures.ruleSet([("\"name\": \"monthly\",", "\"name\": \"monthly\", \"colour\": \"red\",")]) }
        #expect(starts(unknown, with: "monthly.json: colour: unknown key (expected name, from, source"))
        let broken = #expect(throws: DomainError.self) { try RuleSet.decode(Data("{\"name\": ".utf8), file: "broken.json") }
        #expect(broken?.description == "broken.json: is not valid JSON")
        let list = #expect(throws: DomainError.self) { try RuleSet.decode(Data("[1, 2]".utf8), file: "list.json") }
        #expect(list?.description == "list.json: must be a JSON object")
    }

    @Test("Files are checked together: distinct first months, distinct names, at least one")
    func together() throws {
        let a = try RuleSetFixtures.text()
        let b = try RuleSetFixtures.text([("\"name\": \"monthly\"", "\"name\": \"other\"")])
        let sameFrom = #expect(throws: DomainError.self) {
            try RuleSetCatalog(files: [(name: "b.json", data: Data(b.utf8)), (name: "a.json", data: Data(a.utf8))])
        }
        #expect(sameFrom?.description == "b.json: from: 2024-01 is also the first month of a.json")
        let c = try RuleSetFixtures.text([("\"from\": \"2024-01\"", "\"from\": \"2025-01\"")])
        let sameName = #expect(throws: DomainError.self) {
            try RuleSetCatalog(files: [(name: "a.json", data: Data(a.utf8)), (name: "c.json", data: Data(c.utf8))])
        }
        #expect(sameName?.description == "c.json: name: monthly is also the name of a.json")
        let none = #expect(throws: DomainError.self) { try RuleSetCatalog(files: []) }
        #expect(none?.description == "rules: no rule-set files")
        let fault = #expect(throws: DomainError.self) {
            try RuleSetCatalog(files: [(name: "a.json", data: Data(a.utf8)), (name: "z.json", data: Data(try RuleSetFixtures.text([("\"close\": 8", "\"close\": 2")]).utf8))])
        }
        #expect(fault?.description == "z.json: deadlines.close: day 2 must come after deadlines.approve (day 7)")
    }

    private func starts(_ error: DomainError?, with prefix: String) -> Bool {
        error?.description.hasPrefix(prefix) ?? false
    }
}
