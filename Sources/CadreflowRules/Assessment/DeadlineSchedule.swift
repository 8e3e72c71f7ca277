/// A step of a cadre's monthly assessment that has a deadline.
public enum AssessmentStep: String, Sendable, CaseIterable {
    /// The cadre's self-assessment.
    case selfAssessment = "self"
    /// The direct manager's review.
    case review
    /// The head of the unit's approval.
    case approval = "approve"
}

/// How far a pending step is past (or near) its deadline, and who hears of it (as cities
/// plan it, TP.HCM): due soon — the cadre is reminded; late — the head of the unit; seriously
/// late — the organizer.
public enum EscalationLevel: String, Sendable, CaseIterable, Comparable {
    /// Not due yet.
    case notDue = "not_due"
    /// Near the deadline, or on it.
    case dueSoon = "due_soon"
    /// Past the deadline.
    case late
    /// Well past the deadline.
    case seriouslyLate = "seriously_late"

    /// Milder levels sort first.
    public static func < (lhs: EscalationLevel, rhs: EscalationLevel) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// The calendar of one month's cycle under a rule set: the last day of each step and the
/// closing day, all in the month after the assessed month (March 2026: self-assessment by
/// 3 April, review 5 April, approval 7 April, closed on 8 April), and the escalation of a
/// pending step on a given day. A deadline day is included: a step is late from the day
/// after (the cycle's timers fire at the end of the deadline day).
public struct DeadlineSchedule: Sendable, Equatable {
    /// The assessed month.
    public var month: AssessmentPeriod
    /// The last day of the self-assessment.
    public var selfAssessment: CalendarDay
    /// The last day of the review.
    public var review: CalendarDay
    /// The last day of the approval.
    public var approval: CalendarDay
    /// The day the cycle closes.
    public var close: CalendarDay
    /// The escalation thresholds.
    public var thresholds: EscalationThresholds

    /// The schedule of `month` under `ruleSet` (the one in force for the month).
    /// - Throws: naming `month` when the period is not a month.
    public init(month: AssessmentPeriod, ruleSet: RuleSet) throws(DomainError) {
        guard month.kind == .month else { throw DomainError.invalid("month", "\(month) is not a month YYYY-MM") }
        let next = month.number == 12 ? (year: month.year + 1, month: 1) : (year: month.year, month: month.number + 1)
        func day(_ number: Int) throws(DomainError) -> CalendarDay {
            guard let day = CalendarDay(year: next.year, month: next.month, day: number) else {
                throw DomainError.invalid("month", "\(month) has no deadline day \(number) in the month after")
            }
            return day
        }
        self.month = month
        selfAssessment = try day(ruleSet.deadlines.selfAssessment)
        review = try day(ruleSet.deadlines.review)
        approval = try day(ruleSet.deadlines.approval)
        close = try day(ruleSet.deadlines.close)
        thresholds = ruleSet.escalation
    }

    /// The last day of a step.
    public func deadline(_ step: AssessmentStep) -> CalendarDay {
        switch step {
        case .selfAssessment: return selfAssessment
        case .review: return review
        case .approval: return approval
        }
    }

    /// The escalation of `step`, still pending on `day`: seriously late from
    /// `seriously_late_after_days` after the deadline, late from `late_after_days` after,
    /// due soon from `due_soon_days` before the deadline through the deadline day (and past
    /// it until late), not due before.
    public func escalation(of step: AssessmentStep, on day: CalendarDay) -> EscalationLevel {
        let past = day.dayNumber - deadline(step).dayNumber
        if past >= thresholds.seriouslyLateAfterDays { return .seriouslyLate }
        if past >= thresholds.lateAfterDays { return .late }
        if -past <= thresholds.dueSoonDays { return .dueSoon }
        return .notDue
    }
}

extension CalendarDay {
    /// Days since 1 March of year 0 of the proleptic Gregorian calendar (only differences
    /// are used).
    fileprivate var dayNumber: Int {
        let shifted = month <= 2 ? year - 1 : year
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        return shifted * 365 + shifted / 4 - shifted / 100 + shifted / 400 + dayOfYear
    }
}
