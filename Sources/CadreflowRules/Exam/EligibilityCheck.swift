/// The automatic checks run when a cadre registers for an exam, each a rule of the
/// ``ExamPolicy`` and the exam's ``ExamTerms``: active, in the planning pool when the post
/// requires it, not disciplined within the configured years, and far enough from the
/// retirement age for a first appointment. The organizer still rules every candidate;
/// overriding a failed check needs a reason.
public struct EligibilityCheck: Sendable, Equatable {
    /// The check's name: `active`, `planning`, `discipline`, `age`.
    public var name: String
    /// Whether the cadre passes it.
    public var passed: Bool
    /// What was found (shown with a failed check).
    public var detail: String

    /// A check's result.
    public init(name: String, passed: Bool, detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }

    /// What the checks read about a cadre.
    public struct Facts: Sendable, Equatable {
        /// The cadre's status.
        public var status: CadreStatus
        /// In the leadership planning pool.
        public var planning: Bool
        /// Birth date, when known.
        public var born: CalendarDay?
        /// Sex, when known.
        public var sex: Sex?
        /// The day of the latest disciplinary decision, if any.
        public var lastDiscipline: CalendarDay?

        /// Facts from their parts.
        public init(status: CadreStatus, planning: Bool, born: CalendarDay?, sex: Sex?, lastDiscipline: CalendarDay?) {
            self.status = status
            self.planning = planning
            self.born = born
            self.sex = sex
            self.lastDiscipline = lastDiscipline
        }
    }

    /// The four checks of a cadre registering on `day`.
    public static func run(_ facts: Facts, terms: ExamTerms, policy: ExamPolicy, retirement: RetirementSchedule, on day: CalendarDay) -> [EligibilityCheck] {
        var checks: [EligibilityCheck] = []
        checks.append(EligibilityCheck(name: "active", passed: facts.status == .active, detail: "status \(facts.status.rawValue)"))
        if terms.planningRequired {
            checks.append(EligibilityCheck(name: "planning", passed: facts.planning, detail: facts.planning ? "in the planning pool" : "not in the planning pool"))
        }
        let since = day.adding(months: -12 * policy.disciplineYears)
        if let last = facts.lastDiscipline, last > since {
            checks.append(EligibilityCheck(name: "discipline", passed: false, detail: "disciplined on \(last), within \(policy.disciplineYears) years"))
        } else {
            checks.append(EligibilityCheck(name: "discipline", passed: true, detail: "no discipline within \(policy.disciplineYears) years"))
        }
        if let born = facts.born, let sex = facts.sex {
            let left = retirement.monthsLeft(born: born, sex: sex, on: day)
            checks.append(EligibilityCheck(
                name: "age", passed: left >= policy.monthsBeforeRetirement,
                detail: "\(left) months before the retirement age (at least \(policy.monthsBeforeRetirement) for a first appointment)"
            ))
        } else {
            checks.append(EligibilityCheck(name: "age", passed: false, detail: "birth date or sex not recorded"))
        }
        return checks
    }

    /// The failed checks by name alone (`planning; age`), or `passed`: what an organizer
    /// sees of a candidate from outside their scope.
    public static func names(_ checks: [EligibilityCheck]) -> String {
        let failed = checks.filter { !$0.passed }
        return failed.isEmpty ? "passed" : failed.map(\.name).joined(separator: "; ")
    }

    /// The failed checks as one text (`planning: not in the planning pool; age: …`), or `passed`.
    public static func summary(_ checks: [EligibilityCheck]) -> String {
        let failed = checks.filter { !$0.passed }
        return failed.isEmpty ? "passed" : failed.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")
    }
}
