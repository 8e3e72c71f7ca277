/// The automatic checks of an assignment (mission.md section 3), run on proposal and on
/// extension. Each failure names its rule and the figures. The checks that need the
/// database (another assignment overlapping; the receiving unit existing on the start
/// date) are the domain's; their facts come in here.
public enum AssignmentCheck {
    /// What the checks read about the cadre and the units.
    public struct Facts: Sendable, Equatable {
        /// The cadre's current unit (the sending unit).
        public var fromUnit: String
        /// In the planning pool.
        public var planning: Bool
        /// Birth date and sex, when recorded.
        public var born: CalendarDay?
        public var sex: Sex?
        /// Recorded as pregnant.
        public var pregnant: Bool
        /// The youngest child's birth date, when recorded.
        public var childBorn: CalendarDay?
        /// The cadre's status.
        public var status: CadreStatus

        /// Facts from their parts.
        public init(fromUnit: String, planning: Bool, born: CalendarDay?, sex: Sex?, pregnant: Bool, childBorn: CalendarDay?, status: CadreStatus) {
            self.fromUnit = fromUnit
            self.planning = planning
            self.born = born
            self.sex = sex
            self.pregnant = pregnant
            self.childBorn = childBorn
            self.status = status
        }
    }

    /// The rule a proposal breaks, or nil. `months` is the whole length (extensions included).
    public static func violation(
        kind: AssignmentKind, toUnit: String, start: CalendarDay, months: Int?, facts: Facts, policy: AssignmentPolicy, retirement: RetirementSchedule
    ) -> DomainError? {
        if facts.status == .retired { return DomainError(.conflict, "status: the cadre is retired") }
        if toUnit == facts.fromUnit { return DomainError.invalid("to", "\(toUnit) is the cadre's own unit: the receiving unit must differ from the sending one") }
        switch kind {
        case .rotation:
            if let months, months < policy.rotationMinimumMonths {
                return DomainError.invalid("months", "a rotation lasts at least \(policy.rotationMinimumMonths) months, not \(months)")
            }
            if !facts.planning { return DomainError(.conflict, "planning: a rotation is only for a cadre in the planning pool", field: "cadre") }
            guard let born = facts.born, let sex = facts.sex else {
                return DomainError(.conflict, "born: a rotation needs the birth date and sex recorded (the retirement age decides)", field: "cadre")
            }
            let left = retirement.monthsLeft(born: born, sex: sex, on: start)
            if left < policy.rotationMonthsBeforeRetirement {
                return DomainError(
                    .conflict, "age: \(left) months before the retirement age on \(start); a rotation needs at least \(policy.rotationMonthsBeforeRetirement)",
                    field: "cadre"
                )
            }
        case .secondment:
            if let months, months > policy.secondmentMaximumMonths {
                return DomainError.invalid("months", "a secondment lasts at most \(policy.secondmentMaximumMonths) months, not \(months)")
            }
            if facts.sex == .female, facts.pregnant {
                return DomainError(.conflict, "pregnant: no secondment for a woman who is pregnant", field: "cadre")
            }
            if facts.sex == .female, let child = facts.childBorn, child.adding(months: policy.nursingChildMonths) > start {
                return DomainError(
                    .conflict, "child_born: no secondment for a woman nursing a child under \(policy.nursingChildMonths) months (born \(child))", field: "cadre"
                )
            }
        case .transfer, .positionChange:
            break
        }
        return nil
    }
}
