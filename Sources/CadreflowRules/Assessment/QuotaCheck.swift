/// The decision of a quota at approval: with the proposal, how many cadres of one quota
/// group would hold the limited grade, against the limit `share × base` rounded as the rule
/// says. The counts are the caller's (one group: a unit, or a unit × level, for one period);
/// exempt cadres and periods not worked are in none of them.
public struct QuotaCheck: Sendable, Equatable {
    /// The rule's key in the rule set: `quota` or `year.quota` (the error's field).
    public var field: String
    /// The grade limited.
    public var grade: Grade
    /// What the share is taken of.
    public var of: QuotaBase
    /// The base: the graded cadres, or those holding the `of` grade.
    public var base: Int
    /// Cadres holding the grade with the proposal: the current ones and the proposed ones.
    public var count: Int
    /// The share applied.
    public var share: Share
    /// True when the outstanding unit's share was applied.
    public var outstanding: Bool
    /// The most cadres that may hold the grade.
    public var limit: Int

    /// True when the proposal stays within the limit.
    public var allowed: Bool { count <= limit }

    /// `4 of 10 graded would be A; the limit is 3 (30%)`, or for a base grade
    /// `3 would be A against 10 graded B; the limit is 2 (20% of B)`.
    public var message: String {
        let counted: String
        let share: String
        switch of {
        case .graded:
            counted = "\(count) of \(base) graded would be \(grade)"
            share = "\(self.share)"
        case .grade(let baseGrade):
            counted = "\(count) would be \(grade) against \(base) graded \(baseGrade)"
            share = "\(self.share) of \(baseGrade)"
        }
        let limitText = allowed ? "within the limit of \(limit)" : "the limit is \(limit)"
        return "\(counted); \(limitText) (\(share)\(outstanding ? ", outstanding unit" : ""))"
    }

    /// The refusal (`quota` code, the rule's key as the field), or nil when allowed.
    public var error: DomainError? {
        allowed ? nil : DomainError(.quota, message, field: field)
    }

    /// Throws the refusal when over the limit.
    public func require() throws(DomainError) {
        if let error { throw error }
    }

    /// A check of any quota rule. `graded` is the group's graded cadres; `gradeCounts` how
    /// many of them hold each grade (read when the rule's base is a grade); `current` the
    /// cadres already holding the limited grade, `proposed` those this approval would add.
    public init(rule: QuotaRule, field: String, graded: Int, gradeCounts: [Grade: Int] = [:], current: Int, proposed: Int, outstanding: Bool) {
        self.field = field
        grade = rule.grade
        of = rule.of
        switch rule.of {
        case .graded: base = graded
        case .grade(let baseGrade): base = gradeCounts[baseGrade] ?? 0
        }
        count = current + proposed
        self.outstanding = outstanding && rule.outstandingShare != nil
        share = rule.share(outstanding: outstanding)
        limit = rule.limit(base: base, outstanding: outstanding)
    }

    /// The quota of a graded period (a month under monthly grading, a quarter under
    /// quarterly): A ≤ 30% of the group's graded cadres, 40% for a unit marked outstanding
    /// that period (the shipped rule sets' figures).
    public static func period(graded: Int, current: Int, proposed: Int, outstanding: Bool, ruleSet: RuleSet) -> QuotaCheck {
        QuotaCheck(rule: ruleSet.quota, field: "quota", graded: graded, current: current, proposed: proposed, outstanding: outstanding)
    }

    /// The annual quota: A ≤ 20% of the number of the group's cadres graded B for the year
    /// (124-QĐ/TW, NĐ 335/2025; the shipped figures). `gradeCounts` are the group's year
    /// grades as they would stand with the proposal.
    public static func year(graded: Int, gradeCounts: [Grade: Int], current: Int, proposed: Int, ruleSet: RuleSet) -> QuotaCheck {
        QuotaCheck(rule: ruleSet.year.quota, field: "year.quota", graded: graded, gradeCounts: gradeCounts, current: current, proposed: proposed, outstanding: false)
    }
}
