import CadreflowRules
import Testing

@Suite("Assessment quotas: the period quota at its edge, the outstanding unit, the annual quota of B")
struct AssessmentQuotaTests {
    @Test("30% of 10 graded: 3 As allowed, a 4th refused naming the counts and the limit")
    func periodEdge() throws {
        let ruleSet = try RuleSetFixtures.ruleSet()
        let three = QuotaCheck.period(graded: 10, current: 1, proposed: 2, outstanding: false, ruleSet: ruleSet)
        #expect(three.allowed && three.limit == 3 && three.count == 3)
        #expect(three.error == nil)
        #expect(three.message == "3 of 10 graded would be A; within the limit of 3 (30%)")
        try three.require()
        let four = QuotaCheck.period(graded: 10, current: 3, proposed: 1, outstanding: false, ruleSet: ruleSet)
        #expect(!four.allowed)
        let error = #expect(throws: DomainError.self) { try four.require() }
        #expect(error?.code == .quota)
        #expect(error?.description == "quota: 4 of 10 graded would be A; the limit is 3 (30%)")
    }

    @Test("A unit marked outstanding that month: 40%")
    func outstanding() throws {
        let ruleSet = try RuleSetFixtures.ruleSet()
        #expect(QuotaCheck.period(graded: 10, current: 0, proposed: 4, outstanding: true, ruleSet: ruleSet).allowed)
        let five = QuotaCheck.period(graded: 10, current: 0, proposed: 5, outstanding: true, ruleSet: ruleSet)
        #expect(five.error?.description == "quota: 5 of 10 graded would be A; the limit is 4 (40%, outstanding unit)")
        let withoutShare = try RuleSetFixtures.ruleSet([(", \"outstanding_share\": 0.4", "")])
        #expect(!QuotaCheck.period(graded: 10, current: 0, proposed: 4, outstanding: true, ruleSet: withoutShare).allowed)
    }

    @Test("The limit is the share of the graded rounded down (30% of 9 is 2), exactly (29% of 100 is 29)")
    func rounding() throws {
        let ruleSet = try RuleSetFixtures.ruleSet()
        #expect(ruleSet.quota.limit(base: 9) == 2)
        #expect(ruleSet.quota.limit(base: 3) == 0)
        #expect(ruleSet.quota.limit(base: 0) == 0)
        #expect(QuotaCheck.period(graded: 9, current: 0, proposed: 3, outstanding: false, ruleSet: ruleSet).error?.description
            == "quota: 3 of 9 graded would be A; the limit is 2 (30%)")
        #expect(QuotaCheck.period(graded: 5, current: 0, proposed: 0, outstanding: false, ruleSet: ruleSet).allowed)
        let odd = try RuleSetFixtures.ruleSet([("\"share\": 0.3", "\"share\": 0.29")])
        #expect(odd.quota.limit(base: 100) == 29)
        #expect(odd.quota.share.description == "29%")
        let halfUp = try RuleSetFixtures.ruleSet([("\"group\": \"unit\"}", "\"group\": \"unit\", \"rounding\": \"half_up\"}")])
        #expect(halfUp.quota.rounding == .halfUp)
        #expect(halfUp.quota.limit(base: 9) == 3)
        #expect(halfUp.quota.limit(base: 5) == 2)
    }

    @Test("The annual quota: A ≤ 20% of the number graded B in the group")
    func annual() throws {
        let ruleSet = try RuleSetFixtures.ruleSet()
        let two = QuotaCheck.year(graded: 14, gradeCounts: [.A: 2, .B: 10, .C: 2], current: 1, proposed: 1, ruleSet: ruleSet)
        #expect(two.allowed && two.base == 10 && two.limit == 2)
        let three = QuotaCheck.year(graded: 15, gradeCounts: [.A: 3, .B: 10, .C: 2], current: 1, proposed: 2, ruleSet: ruleSet)
        #expect(three.error?.code == .quota)
        #expect(three.error?.description == "year.quota: 3 would be A against 10 graded B; the limit is 2 (20% of B)")
        let fewB = QuotaCheck.year(graded: 10, gradeCounts: [.A: 1, .B: 4, .C: 5], current: 0, proposed: 1, ruleSet: ruleSet)
        #expect(!fewB.allowed && fewB.limit == 0)
        #expect(QuotaCheck.year(graded: 3, gradeCounts: [.C: 3], current: 0, proposed: 0, ruleSet: ruleSet).allowed)
    }

    @Test("The shipped rule sets count the quota per unit until Q3 2025, then per unit and level")
    func groups() throws {
        let catalog = try RuleSetFixtures.shipped()
        #expect(try catalog.ruleSet(for: RuleSetFixtures.period("2025-09")).quota.group == .unit)
        #expect(try catalog.ruleSet(for: RuleSetFixtures.period("2025-Q4")).quota.group == .unitLevel)
        #expect(try catalog.ruleSet(for: RuleSetFixtures.period("2026")).year.quota.group == .unitLevel)
    }

    @Test("Shares print as percentages")
    func shares() {
        #expect(Share(basisPoints: 3000)?.description == "30%")
        #expect(Share(basisPoints: 1250)?.description == "12.5%")
        #expect(Share(basisPoints: 25)?.description == "0.25%")
        #expect(Share(basisPoints: 10_001) == nil)
    }
}
