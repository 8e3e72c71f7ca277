import CadreflowDomain
import CadreflowRules

/// How assessments and their reports become table rows (one place for their columns).
enum AssessmentRows {
    /// The fields `ASSESS SHOW` lists, in this order, when the assessment has them.
    static let shownFields = [
        "month", "cadre", "unit", "level",
        "self_discipline", "self_duties", "self_bonus", "self_total", "self_grade", "self_note", "self_by", "self_on_behalf",
        "review_discipline", "review_duties", "review_bonus", "review_total", "review_grade", "review_comment", "review_by",
        "no_self_assessment", "total", "grade", "approved_by", "approved_on", "reason",
    ]

    /// `ASSESS SHOW`'s fields: the name, the state, then each field present.
    static func shown(_ record: AssessmentRecord) -> [(String, String)] {
        var fields: [(String, String)] = [("name", record.cadreName), ("state", record.facts.state)]
        for key in shownFields {
            if let value = record.data[key] { fields.append((key, value)) }
        }
        if record.data["total"] == nil { fields.append(("total", "")) }
        if record.data["grade"] == nil { fields.append(("grade", "")) }
        return fields
    }

    static let listColumns = ["cadre", "name", "unit", "level", "state", "self_total", "review_total", "grade", "no_self_assessment"]

    static func listed(_ entry: AssessmentListing) -> [String] {
        [entry.cadre, entry.name, entry.unit, entry.level, entry.state, entry.selfTotal, entry.reviewTotal, entry.grade, YesNo.text(entry.noSelfAssessment)]
    }

    static let progressColumns = [
        "unit", "name", "assessments", "pending", "self_assessed", "returned", "overdue", "reviewed", "approved", "exempt",
        "due_soon", "late", "seriously_late",
    ]

    static func progress(_ unit: UnitProgress) -> [String] {
        let states = ["pending", "self_assessed", "returned", "overdue", "reviewed", "approved", "exempt"]
        return [unit.unit, unit.name, String(unit.total)] + states.map { String(unit.counts[$0] ?? 0) }
            + [EscalationLevel.dueSoon, .late, .seriouslyLate].map { String(unit.escalations[$0] ?? 0) }
    }

    static let lateColumns = ["cadre", "name", "unit", "state", "step", "deadline", "level", "notify"]

    /// Who hears of a late step at each level (as cities plan it).
    static func notified(_ level: EscalationLevel) -> String {
        switch level {
        case .notDue: return ""
        case .dueSoon: return "the cadre"
        case .late: return "the head of the unit"
        case .seriouslyLate: return "the organizer"
        }
    }

    static func late(_ step: LateStep) -> [String] {
        [step.cadre, step.name, step.unit, step.state, step.step.rawValue, step.deadline.description, step.level.rawValue, notified(step.level)]
    }
}
