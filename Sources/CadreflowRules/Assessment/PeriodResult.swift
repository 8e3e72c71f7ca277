/// One month of a cadre as a quarter or a year result reads it.
public struct MonthScore: Sendable, Equatable {
    /// How the month stands.
    public enum Standing: Sendable, Equatable {
        /// Approved with this total.
        case approved(Points)
        /// Exempt (on leave): left out of the mean and of the quotas.
        case exempt
        /// Not worked (before joining, after leaving): left out.
        case notWorked
    }

    /// The month.
    public var month: AssessmentPeriod
    /// How it stands.
    public var standing: Standing

    /// A month and how it stands.
    public init(month: AssessmentPeriod, standing: Standing) {
        self.month = month
        self.standing = standing
    }
}

/// A cadre's result for a quarter or a year (or a single month) from the approved monthly
/// scores of the months worked: exempt months and months not worked are left out, as are
/// months not listed (not approved). The mean is rounded to one decimal, halves up
/// (`80.05` is `80.1`); a disciplined cadre gets the rule set's disciplined grade (D)
/// whatever the score; a cadre with no month counted has no score and no grade.
public struct PeriodResult: Sendable, Equatable {
    /// The period.
    public var period: AssessmentPeriod
    /// The mean, or nil when no month counted.
    public var score: Points?
    /// The grade (from the bands, or the disciplined grade), or nil when no month counted.
    public var grade: Grade?
    /// True when the grade is the disciplined one.
    public var disciplined: Bool
    /// True when the rule set proposes a grade for this period (its quota applies);
    /// false for a quarter under monthly grading or a folded Q4 (``RuleSet/isGraded(_:)``).
    public var graded: Bool
    /// Months whose approved score counted.
    public var monthsCounted: Int
    /// Months left out as exempt.
    public var monthsExempt: Int

    /// The result of `period` from a cadre's months (each once, all within the period),
    /// under `ruleSet` (the one in force for the period). `disciplined`: a disciplinary
    /// measure falls in the period (the year rule: in the year).
    /// - Throws: naming `months` for a month listed twice, outside the period, or not a month.
    public static func compute(for period: AssessmentPeriod, months: [MonthScore], disciplined: Bool, ruleSet: RuleSet) throws(DomainError) -> PeriodResult {
        var seen = Set<AssessmentPeriod>()
        for entry in months {
            guard entry.month.kind == .month else { throw DomainError.invalid("months", "\(entry.month) is not a month") }
            guard period.contains(entry.month) else { throw DomainError.invalid("months", "\(entry.month) is not in \(period)") }
            guard seen.insert(entry.month).inserted else { throw DomainError.invalid("months", "\(entry.month) is listed twice") }
        }
        let counted = months.compactMap { entry -> (month: AssessmentPeriod, points: Points)? in
            if case .approved(let points) = entry.standing { return (entry.month, points) }
            return nil
        }
        let score: Points?
        if period.kind == .year, ruleSet.year.score == .meanOfQuarters {
            let quarters = Dictionary(grouping: counted, by: { $0.month.quarter?.number ?? 0 })
            score = mean(quarters.keys.sorted().compactMap { mean(quarters[$0, default: []].map(\.points)) })
        } else {
            score = mean(counted.map(\.points))
        }
        var grade = score.map { ruleSet.grade(for: $0) }
        if score != nil, disciplined { grade = ruleSet.year.disciplinedGrade }
        return PeriodResult(
            period: period, score: score, grade: grade, disciplined: score != nil && disciplined, graded: ruleSet.isGraded(period),
            monthsCounted: counted.count, monthsExempt: months.filter { $0.standing == .exempt }.count
        )
    }

    /// The mean of scores to one decimal, halves up; nil for none. Integer arithmetic on
    /// tenths: `(2 × sum + n) / 2n` for the non-negative totals scores are.
    public static func mean(_ scores: [Points]) -> Points? {
        guard !scores.isEmpty else { return nil }
        let sum = scores.reduce(0) { $0 + $1.tenths }
        let count = scores.count
        let doubled = 2 * sum + (sum >= 0 ? count : -count)
        return Points(tenths: doubled / (2 * count))
    }
}
