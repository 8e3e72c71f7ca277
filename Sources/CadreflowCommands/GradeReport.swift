import CadreflowRules

/// `REPORT GRADES` rows and its one-line summary, in the board's shape: assessed of total,
/// each grade's count and share (A of B-or-better, the others of the assessed), and the
/// limit of A under the period's quota when the period is graded.
enum GradeReport {
    static let columns = [
        "unit", "name", "total", "assessed", "assessed_share", "A", "A_share", "B", "B_share", "B_or_better", "B_or_better_share",
        "C", "C_share", "D", "D_share", "A_limit",
    ]

    static func row(
        _ unit: String, _ name: String, _ line: GradeDistribution, period: AssessmentPeriod, ruleSet: RuleSet?, _ locale: ReportNumbers.Locale
    ) -> [String] {
        func count(_ value: Int) -> String { ReportNumbers.count(value, locale) }
        func share(_ figure: GradeDistribution.Figure) -> String { ReportNumbers.percent(tenths: line.shareTenths(figure), locale) }
        var limit = ""
        if let ruleSet, ruleSet.isGraded(period) {
            // The unit's limit of A (per unit; a unit × level rule splits it further).
            limit = period.kind == .year
                ? count(ruleSet.year.quota.limit(base: ruleSet.year.quota.of == .graded ? line.assessed : line[.B]))
                : count(ruleSet.quota.limit(base: line.assessed))
        }
        return [unit, name, count(line.total), count(line.assessed), share(.assessed),
                count(line[.A]), share(.grade(.A)), count(line[.B]), share(.grade(.B)), count(line.bOrBetter), share(.bOrBetter),
                count(line[.C]), share(.grade(.C)), count(line[.D]), share(.grade(.D)), limit]
    }

    /// `2022: 22,824 of 29,150 assessed; A 3,318 (16.6% of B or better); B or better 20,039
    /// (87.8%); C 2,764 (12.1%); D 21 (0.1%)`, or in Vietnamese with `locale=vi`.
    static func sentence(_ period: AssessmentPeriod, _ line: GradeDistribution, _ locale: ReportNumbers.Locale) -> String {
        func count(_ value: Int) -> String { ReportNumbers.count(value, locale) }
        func share(_ figure: GradeDistribution.Figure) -> String { ReportNumbers.percent(tenths: line.shareTenths(figure), locale) }
        switch locale {
        case .en:
            return "\(period): \(count(line.assessed)) of \(count(line.total)) assessed; A \(count(line[.A])) (\(share(.grade(.A))) of B or better); "
                + "B or better \(count(line.bOrBetter)) (\(share(.bOrBetter))); C \(count(line[.C])) (\(share(.grade(.C)))); D \(count(line[.D])) (\(share(.grade(.D))))"
        case .vi:
            return "\(period): \(count(line.assessed))/\(count(line.total)) được đánh giá, xếp loại; \(count(line[.A])) \(Grade.A.vietnameseName.lowercased()) (\(share(.grade(.A)))); "
                + "\(count(line.bOrBetter)) \(Grade.B.vietnameseName.lowercased()) trở lên (\(share(.bOrBetter))); "
                + "\(count(line[.C])) \(Grade.C.vietnameseName.lowercased()) (\(share(.grade(.C)))); \(count(line[.D])) \(Grade.D.vietnameseName.lowercased()) (\(share(.grade(.D))))"
        }
    }
}
