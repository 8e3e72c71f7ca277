/// One versioned set of assessment rules (a file of `config/rules/`): the score parts, the
/// grade bands, which periods are graded, the period and year quotas, the year rule, the
/// cycle deadlines and the escalation thresholds, in force from its first month until the
/// next rule set's. Every number is data; docs/ASSESSMENT-RULES.md lists the keys and their
/// sources. Decoding validates (``RuleSet/decode(_:file:)``, ``RuleSetCatalog``).
public struct RuleSet: Sendable, Equatable, Decodable {
    /// The rule set's name (letters, digits, `_`, `.`, `-`).
    public var name: String
    /// The file it was read from (empty when decoded without one).
    public var file: String
    /// The first month it applies to.
    public var from: AssessmentPeriod
    /// The decisions it encodes (`QĐ 3814-QĐ/TU …`).
    public var source: String
    /// A free description (the file's `description`).
    public var summary: String?
    /// The score parts and their ranges.
    public var scores: ScoreRules
    /// The grade bands.
    public var grades: GradeBands
    /// Which periods receive a grade.
    public var grading: GradingRule
    /// The quota on a graded period's grades.
    public var quota: QuotaRule
    /// The year result and its quota.
    public var year: YearRule
    /// The cycle deadlines, days of the month after the assessed month.
    public var deadlines: DeadlineDays
    /// When a pending step is due soon, late, seriously late.
    public var escalation: EscalationThresholds

    /// The grade of a total.
    public func grade(for total: Points) -> Grade {
        grades.grade(for: total)
    }

    /// True when this rule set proposes a grade for `period` (and its quota applies):
    /// every month and year under monthly grading; under quarterly grading the quarters
    /// (Q4 only when it is not folded into the year) and the year, never a month. A period
    /// that is not graded still has a score and a band (``PeriodResult``).
    public func isGraded(_ period: AssessmentPeriod) -> Bool {
        switch (grading.periods, period.kind) {
        case (_, .year): return true
        case (.monthly, .month): return true
        case (.monthly, .quarter): return false
        case (.quarterly, .month): return false
        case (.quarterly, .quarter): return !(grading.lastQuarterInYear && period.number == 4)
        }
    }
}

/// One part of the score as the rule set defines it.
public struct ScorePart: Sendable, Equatable {
    /// The key it is entered under (`duties`).
    public var key: String
    /// Its name for people.
    public var name: String
    /// The lowest value.
    public var min: Points
    /// The highest value.
    public var max: Points
    /// False when it may be left out (it then counts as `min`).
    public var required: Bool
}

/// The score parts: their ranges add up to the maximum score (100).
public struct ScoreRules: Sendable, Equatable {
    /// Decimals allowed in an entered part: 0 or 1.
    public var decimals: Int
    /// The parts in the order they are shown.
    public var parts: [ScorePart]

    /// The maximum total: the sum of the parts' maxima.
    public var maximum: Points {
        parts.reduce(Points.zero) { $0 + $1.max }
    }
}

/// Which periods are graded.
public enum GradedPeriods: String, Sendable, CaseIterable {
    /// Every month (QĐ 3814-QĐ/TU).
    case monthly
    /// Every quarter (KL 198-KL/TW, HD 43-HD/BTCTW); months are still scored.
    case quarterly
}

/// Which periods are graded, and whether the last quarter folds into the year.
public struct GradingRule: Sendable, Equatable {
    /// Monthly or quarterly.
    public var periods: GradedPeriods
    /// Under quarterly grading: Q4 gets no grade of its own, its months count in the year.
    public var lastQuarterInYear: Bool
    /// The decision it follows, when given.
    public var source: String?
}

/// Over which cadres a quota counts.
public enum QuotaGroup: String, Sendable, CaseIterable {
    /// The graded cadres of one unit.
    case unit
    /// The graded cadres of one unit and one level (head / deputy / staff): "groups of
    /// similar roles" (KL 198-KL/TW, NĐ 335/2025).
    case unitLevel = "unit_level"
}

/// What a quota's share is taken of.
public enum QuotaBase: Sendable, Equatable, CustomStringConvertible {
    /// The number of graded cadres of the group (`"graded"`).
    case graded
    /// The number of cadres of the group holding a grade (`"B"`).
    case grade(Grade)

    /// `graded`, `B`.
    public var description: String {
        switch self {
        case .graded: return "graded"
        case .grade(let grade): return grade.rawValue
        }
    }
}

/// How a quota's `share × base` becomes a whole number of cadres.
public enum QuotaRounding: String, Sendable, CaseIterable {
    /// Rounded down: the limit never exceeds the share (30% of 9 is 2).
    case floor
    /// To the nearest, halves up (30% of 9 is 3).
    case halfUp = "half_up"
}

/// A quota: at most `share` of the base may hold `grade`.
public struct QuotaRule: Sendable, Equatable {
    /// The grade limited (A).
    public var grade: Grade
    /// The share of the base.
    public var share: Share
    /// The share for a unit marked outstanding in the period, when there is one.
    public var outstandingShare: Share?
    /// What the share is taken of.
    public var of: QuotaBase
    /// Over which cadres it counts.
    public var group: QuotaGroup
    /// How the limit is rounded.
    public var rounding: QuotaRounding
    /// The decision it follows, when given.
    public var source: String?

    /// The share that applies (the outstanding one for an outstanding unit, when defined).
    public func share(outstanding: Bool) -> Share {
        outstanding ? (outstandingShare ?? share) : share
    }

    /// The most cadres that may hold the grade among `base`.
    public func limit(base: Int, outstanding: Bool = false) -> Int {
        share(outstanding: outstanding).of(base, rounding: rounding)
    }
}

/// How a year's score is computed from the months.
public enum YearScore: String, Sendable, CaseIterable {
    /// The mean of the approved monthly scores of the months worked.
    case meanOfMonths = "mean_of_months"
    /// The mean of the quarter scores (each the mean of its months worked) of the quarters
    /// with a month worked.
    case meanOfQuarters = "mean_of_quarters"
}

/// The year result: its score, the grade of a disciplined cadre, its quota.
public struct YearRule: Sendable, Equatable {
    /// How the score is computed.
    public var score: YearScore
    /// The grade of a cadre disciplined in the year, whatever the score.
    public var disciplinedGrade: Grade
    /// The annual quota.
    public var quota: QuotaRule
    /// The decision it follows, when given.
    public var source: String?
}

/// The cycle deadlines: days of the month after the assessed month, in order.
public struct DeadlineDays: Sendable, Equatable {
    /// The last day of the self-assessment.
    public var selfAssessment: Int
    /// The last day of the review.
    public var review: Int
    /// The last day of the approval.
    public var approval: Int
    /// The day the cycle closes and its results freeze.
    public var close: Int
}

/// When a pending step escalates, in days around its deadline (``DeadlineSchedule``).
public struct EscalationThresholds: Sendable, Equatable {
    /// Due soon from this many days before the deadline through the deadline day.
    public var dueSoonDays: Int
    /// Late from this many days after the deadline.
    public var lateAfterDays: Int
    /// Seriously late from this many days after the deadline.
    public var seriouslyLateAfterDays: Int
}
