import CadreflowRules
import Testing

@Suite("Grade distributions as the board publishes them")
struct GradeDistributionTests {
    @Test("The 2022 line of seed 004: 22,824 of 29,150 assessed; A 16.6% of B or better; B or better 87.8%; C 12.1%; D 0.1%")
    func publishedLine() {
        let line = GradeDistribution(total: 29_150, counts: [.A: 3_318, .B: 16_721, .C: 2_764, .D: 21])
        #expect(line.assessed == 22_824)
        #expect(line.bOrBetter == 20_039)
        #expect(line.shareTenths(.grade(.A)) == 166)
        #expect(line.shareTenths(.bOrBetter) == 878)
        #expect(line.shareTenths(.grade(.C)) == 121)
        #expect(line.shareTenths(.grade(.D)) == 1)
        #expect(line.shareTenths(.assessed) == 783)
    }

    @Test("Shares round half up; an empty base has no share; groups add up")
    func rounding() {
        #expect(GradeDistribution.tenths(1, of: 8) == 125)
        #expect(GradeDistribution.tenths(1, of: 16) == 63)
        #expect(GradeDistribution.tenths(0, of: 0) == nil)
        let empty = GradeDistribution(total: 3, counts: [:])
        #expect(empty.shareTenths(.grade(.A)) == nil)
        let sum = GradeDistribution(total: 2, counts: [.A: 1]) + GradeDistribution(total: 3, counts: [.A: 1, .B: 2])
        #expect(sum == GradeDistribution(total: 5, counts: [.A: 2, .B: 2]))
    }
}
