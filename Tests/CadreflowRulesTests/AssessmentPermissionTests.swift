import CadreflowRules
import Testing

@Suite("Who may take which assessment step, and when")
struct AssessmentPermissionTests {
    let month = AssessmentPeriod(year: 2025, month: 9)!
    let today = CalendarDay(year: 2025, month: 10, day: 2)!

    func facts(_ state: String, closed: Bool = false) -> AssessmentFacts {
        AssessmentFacts(
            cadre: "C1", month: month, unit: "HN.A", unitPath: "HN/HN.A", state: state, cycleClosed: closed,
            selfDeadline: CalendarDay(year: 2025, month: 10, day: 3) ?? today
        )
    }

    let own = Requester(login: "lan", role: .viewer, scope: UnitScope(path: "HN/HN.A"), unit: "HN.A", cadre: "C1")
    let manager = Requester(login: "rev", role: .manager, scope: UnitScope(path: "HN/HN.A"), unit: "HN.A")
    let outsider = Requester(login: "far", role: .manager, scope: UnitScope(path: "HN/HN.B"), unit: "HN.B")
    let head = Requester(login: "head", role: .manager, scope: UnitScope(path: "HN/HN.A"), unit: "HN.A", isHead: true)
    let organizer = Requester(login: "org", role: .organizer, scope: UnitScope(path: "HN"), unit: "HN")

    func code(_ action: AssessmentAction, _ facts: AssessmentFacts, _ requester: Requester, today day: CalendarDay? = nil) -> String {
        do {
            return try AssessmentPermission.check(action, facts, by: requester, today: day ?? today)
        } catch {
            return error.code.rawValue
        }
    }

    @Test("SELF: the cadre's own account acts as the cadre, a manager over the unit on the cadre's behalf, nobody else")
    func selfAssessment() {
        #expect(code(.selfAssess, facts("pending"), own) == "cadre")
        #expect(code(.selfAssess, facts("returned"), manager) == "manager")
        #expect(code(.selfAssess, facts("pending"), outsider) == "denied")
        #expect(code(.selfAssess, facts("pending"), organizer) == "denied")
        #expect(code(.selfAssess, facts("overdue"), own) == "conflict")
        #expect(code(.selfAssess, facts("approved"), own) == "conflict")
    }

    @Test("REVIEW and RETURN: a manager over the unit, never on their own assessment; APPROVE: the head")
    func reviewAndApprove() {
        #expect(code(.review, facts("self_assessed"), manager) == "manager")
        #expect(code(.review, facts("overdue"), manager) == "manager")
        #expect(code(.review, facts("pending"), manager) == "conflict")
        #expect(code(.review, facts("self_assessed"), outsider) == "denied")
        let selfReviewer = Requester(login: "lan", role: .manager, scope: UnitScope(path: "HN/HN.A"), unit: "HN.A", cadre: "C1")
        #expect(code(.review, facts("self_assessed"), selfReviewer) == "denied")
        #expect(code(.returnForRevision, facts("reviewed"), manager) == "manager")
        #expect(code(.approve, facts("reviewed"), manager) == "denied")
        #expect(code(.approve, facts("reviewed"), head) == "manager")
        #expect(code(.approve, facts("self_assessed"), head) == "conflict")
    }

    @Test("EXEMPT by a manager or organizer; REOPEN by an organizer within the year; a closed cycle is frozen")
    func exemptReopenFrozen() {
        #expect(code(.exempt, facts("pending"), organizer) == "organizer")
        #expect(code(.exempt, facts("approved"), manager) == "conflict")
        #expect(code(.reopen, facts("approved"), manager) == "denied")
        #expect(code(.reopen, facts("approved"), organizer) == "organizer")
        #expect(code(.reopen, facts("approved", closed: true), organizer) == "organizer")
        #expect(code(.reopen, facts("approved"), organizer, today: CalendarDay(year: 2026, month: 1, day: 5)) == "conflict")
        #expect(code(.review, facts("self_assessed", closed: true), manager) == "conflict")
    }
}
