/// The examination rules that are configuration (`[exam]`), with the defaults of Hanoi's
/// Đề án 21-ĐA/TU practice; each exam may override the first four when it is created.
public struct ExamPolicy: Sendable, Equatable {
    /// Fewest eligible candidates for the exam to go ahead.
    public var minCandidates: Int
    /// The written round's share of the total, in percent (the defense has the rest).
    public var writtenWeightPercent: Int
    /// The pass mark of each round: below it in the written round, no defense.
    public var passMark: Mark
    /// Whether a post's candidates must be in the leadership planning pool.
    public var planningRequired: Bool
    /// A disciplinary measure decided within this many years before registering fails the check.
    public var disciplineYears: Int
    /// A first appointment needs at least this many months before the retirement age.
    public var monthsBeforeRetirement: Int

    /// A policy from its parts.
    public init(minCandidates: Int, writtenWeightPercent: Int, passMark: Mark, planningRequired: Bool, disciplineYears: Int, monthsBeforeRetirement: Int) {
        self.minCandidates = minCandidates
        self.writtenWeightPercent = writtenWeightPercent
        self.passMark = passMark
        self.planningRequired = planningRequired
        self.disciplineYears = disciplineYears
        self.monthsBeforeRetirement = monthsBeforeRetirement
    }

    /// Two candidates at least, 50/50, pass at 50, the planning pool required, no discipline
    /// within 2 years, 60 months (a full five-year term) before retirement.
    public static let standard = ExamPolicy(
        minCandidates: 2, writtenWeightPercent: 50, passMark: Mark(hundredths: 5_000), planningRequired: true,
        disciplineYears: 2, monthsBeforeRetirement: 60
    )
}
