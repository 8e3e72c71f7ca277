/// A step asked of one cadre's monthly assessment (`ASSESS SELF`, `REVIEW` …).
public enum AssessmentAction: String, Sendable, CaseIterable {
    case selfAssess = "self_assess"
    case review
    case approve
    case returnForRevision = "return"
    case exempt
    case reopen

    /// The command word (`SELF`, `REVIEW` …).
    public var word: String {
        switch self {
        case .selfAssess: return "SELF"
        case .returnForRevision: return "RETURN"
        default: return rawValue.uppercased()
        }
    }

    /// The states it starts from (as `config/workflows/assessment.json` defines them).
    public var sources: Set<String> {
        switch self {
        case .selfAssess: return ["pending", "returned"]
        case .review: return ["self_assessed", "overdue"]
        case .approve: return ["reviewed"]
        case .returnForRevision: return ["self_assessed", "reviewed"]
        case .exempt: return ["pending", "self_assessed", "returned", "overdue", "reviewed"]
        case .reopen: return ["approved"]
        }
    }
}

/// What decides who may take a step on an assessment: whose it is, where it is assessed,
/// its state, and whether its cycle is closed.
public struct AssessmentFacts: Sendable, Equatable {
    /// The cadre assessed.
    public var cadre: String
    /// The month.
    public var month: AssessmentPeriod
    /// The assessing unit (where the cadre worked that month) and its path.
    public var unit: String
    public var unitPath: String
    /// The workflow state.
    public var state: String
    /// The month's cycle is closed: results are frozen.
    public var cycleClosed: Bool
    /// The self-assessment deadline of the month.
    public var selfDeadline: CalendarDay

    /// Facts from their parts.
    public init(cadre: String, month: AssessmentPeriod, unit: String, unitPath: String, state: String, cycleClosed: Bool, selfDeadline: CalendarDay) {
        self.cadre = cadre
        self.month = month
        self.unit = unit
        self.unitPath = unitPath
        self.state = state
        self.cycleClosed = cycleClosed
        self.selfDeadline = selfDeadline
    }
}

/// Who may take which step of a monthly assessment (QĐ 3814-QĐ/TU as mission.md section 1
/// reads it), decided without a database:
/// - SELF: the account bound to the cadre, or a manager whose scope holds the assessing
///   unit (then recorded as entered on the cadre's behalf); from pending or returned.
/// - REVIEW: a manager whose scope holds the unit, not on their own assessment; from
///   self-assessed, or overdue (flagged "no self-assessment").
/// - APPROVE: a manager marked head whose scope holds the unit; from reviewed.
/// - RETURN: a manager whose scope holds the unit; from self-assessed or reviewed.
/// - EXEMPT: a manager or an organizer whose scope holds the unit; before approval.
/// - REOPEN: an organizer whose scope holds the unit; from approved, within the year.
/// Once the month's cycle is closed only REOPEN remains.
public enum AssessmentPermission {
    /// The workflow role the requester acts in (`cadre`, `manager`, `organizer`), or the
    /// refusal: ``DomainError/Code/denied`` for who, ``DomainError/Code/conflict`` for when.
    public static func check(_ action: AssessmentAction, _ facts: AssessmentFacts, by requester: Requester, today: CalendarDay) throws(DomainError) -> String {
        if facts.cycleClosed && action != .reopen {
            throw DomainError(.conflict, "the \(facts.month) cycle is closed: its results are frozen (an organizer may REOPEN an approved one)")
        }
        let covers = requester.scope.covers(facts.unitPath)
        let own = requester.cadre == facts.cadre
        let role: String
        switch action {
        case .selfAssess:
            if own {
                role = "cadre"
            } else if requester.role == .manager && covers {
                role = "manager"
            } else {
                throw DomainError(.denied, "only \(facts.cadre)'s own account or a manager over unit \(facts.unit) may self-assess")
            }
            if facts.state == "overdue" {
                throw DomainError(.conflict, "the self-assessment deadline \(facts.selfDeadline) has passed: the manager reviews it now (flagged no self-assessment)")
            }
        case .review, .returnForRevision:
            guard requester.role == .manager && covers else { throw DomainError(.denied, "only a manager over unit \(facts.unit) may \(action.word) this assessment") }
            guard !own else { throw DomainError(.denied, "you may not \(action.word) your own assessment") }
            role = "manager"
            if action == .review && facts.state == "pending" {
                throw DomainError(.conflict, "\(facts.cadre) has not self-assessed yet (deadline \(facts.selfDeadline)); a manager may enter it on the cadre's behalf with ASSESS SELF")
            }
        case .approve:
            try requireApprover(unit: facts.unit, unitPath: facts.unitPath, by: requester)
            guard !own else { throw DomainError(.denied, "you may not approve your own assessment") }
            role = "manager"
        case .exempt:
            guard (requester.role == .manager || requester.role == .organizer) && covers else {
                throw DomainError(.denied, "only a manager or an organizer over unit \(facts.unit) may exempt")
            }
            role = requester.role.rawValue
        case .reopen:
            guard requester.role == .organizer && covers else { throw DomainError(.denied, "only an organizer over unit \(facts.unit) may reopen") }
            guard facts.month.year == today.year else {
                throw DomainError(.conflict, "\(facts.month) may be reopened only within \(facts.month.year); it is \(today.year) now")
            }
            role = "organizer"
        }
        guard action.sources.contains(facts.state) else {
            throw DomainError(.conflict, "cannot \(action.word) an assessment that is \(facts.state) (\(action.word) starts from \(action.sources.sorted().joined(separator: ", ")))")
        }
        return role
    }

    /// Refuses anyone but the head of the unit (a manager marked head whose scope holds it).
    public static func requireApprover(unit: String, unitPath: String, by requester: Requester) throws(DomainError) {
        guard requester.role == .manager && requester.isHead && requester.scope.covers(unitPath) else {
            throw DomainError(.denied, "only the head of unit \(unit) (a manager marked head) may approve")
        }
    }
}
